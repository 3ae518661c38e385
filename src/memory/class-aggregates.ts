import type { HeapGraph } from './graph/heap-graph.js';

export interface ClassAggregate {
  name: string;
  count: number;
  selfSize: number;
  /**
   * DevTools' "Retained Size" of a class: the retained sizes of its objects, counting an object only when no
   * object of the same class dominates it (so nested instances are not counted twice).
   */
  retainedSize: number;
}

/**
 * DevTools' Summary view: objects grouped by class (constructor), objects with a zero self size left out
 * (their size was charged to an owner, as DevTools shows them). One pass over the nodes, one depth-first walk
 * of the dominator tree.
 */
export function classAggregates(g: HeapGraph): ClassAggregate[] {
  const names = g.data.classNames;
  const count = new Float64Array(names.length);
  const self = new Float64Array(names.length);
  const retained = new Float64Array(names.length);
  const { classId, selfSize } = g.data;
  for (let n = 0; n < g.nodeCount; n++) {
    const s = selfSize[n];
    if (s === 0) continue;
    count[classId[n]]++;
    self[classId[n]] += s;
  }
  // Walk the dominator tree; `open[c]` counts ancestors of class c being counted on the current path.
  const open = new Uint32Array(names.length);
  const stack = new Uint32Array(g.nodeCount);
  const counted = new Uint8Array(g.nodeCount);
  // Next child to visit per node (an index into the dominator tree's child list).
  const next = new Uint32Array(g.nodeCount);
  const { first, list } = g.dominatorTree();
  let top = 0;
  stack[top++] = g.root;
  next[g.root] = first[g.root];
  while (top > 0) {
    const n = stack[top - 1];
    if (!counted[n]) {
      // Entering n.
      const c = classId[n];
      if (n !== g.root && selfSize[n] !== 0 && open[c] === 0) {
        retained[c] += g.retainedSize(n);
        open[c]++;
        counted[n] = 1;
      } else counted[n] = 2;
    }
    if (next[n] < first[n + 1]) {
      const k = list[next[n]++];
      next[k] = first[k];
      stack[top++] = k;
      continue;
    }
    // Leaving n.
    if (counted[n] === 1) open[classId[n]]--;
    top--;
  }
  const out: ClassAggregate[] = [];
  for (let c = 0; c < names.length; c++) {
    if (count[c] > 0) out.push({ name: names[c], count: count[c], selfSize: self[c], retainedSize: retained[c] });
  }
  return out.sort((a, b) => b.retainedSize - a.retainedSize || b.selfSize - a.selfSize || a.name.localeCompare(b.name));
}
