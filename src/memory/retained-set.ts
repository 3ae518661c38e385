import type { HeapGraph } from './graph/heap-graph.js';

/**
 * What a set of objects retains together: the retained sizes of its members, each counted only when no other
 * member dominates it (the newest link of a leaking linked list retains the whole list; adding up every
 * link's retained size would count it again and again). One depth-first walk of the dominator tree.
 */
export function retainedOfSet(g: HeapGraph, member: Uint8Array): number {
  let total = 0;
  const stack = new Uint32Array(g.nodeCount);
  const next = new Uint32Array(g.nodeCount);
  const { first, list } = g.dominatorTree();
  let top = 0;
  // Members on the current path: while one is open, the ones below it are already counted.
  let open = 0;
  stack[top++] = g.root;
  next[g.root] = first[g.root];
  while (top > 0) {
    const n = stack[top - 1];
    if (next[n] < first[n + 1]) {
      const k = list[next[n]++];
      next[k] = first[k];
      stack[top++] = k;
      if (member[k]) {
        if (open === 0) total += g.retainedSize(k);
        open++;
      }
      continue;
    }
    if (member[n] && n !== g.root) open--;
    top--;
  }
  return total;
}
