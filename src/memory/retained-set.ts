import type { HeapGraph } from './graph/heap-graph.js';

/**
 * What a set of objects retains together: the retained sizes of its members, each counted only when no other
 * member dominates it (the newest link of a leaking linked list retains the whole list; adding up every
 * link's retained size would count it again and again). O(n): one pass over the dominator tree's pre-order.
 */
export function retainedOfSet(g: HeapGraph, member: Uint8Array): number {
  // Dominator-tree pre-order: a member below an open member's exit is dominated by it (already counted).
  const { order, exit, reached } = g.dominatorIndex();
  let total = 0;
  let openUntil = 0;
  for (let p = 1; p < reached; p++) {
    const n = order[p];
    if (!member[n] || p < openUntil) continue;
    total += g.retainedSize(n);
    openUntil = exit[n];
  }
  return total;
}
