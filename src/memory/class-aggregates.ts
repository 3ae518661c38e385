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
 * (their size was charged to an owner, as DevTools shows them). O(n): one pass over the nodes, one over the
 * dominator tree's pre-order; nothing allocated per node.
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
  // In dominator-tree pre-order, an object is nested in a counted one of its class exactly when its position
  // is below that one's exit; intervals nest, so per class only the last counted object's exit matters.
  const openUntil = new Uint32Array(names.length);
  const { order, exit, reached } = g.dominatorIndex();
  for (let p = 1; p < reached; p++) {
    const n = order[p];
    if (selfSize[n] === 0) continue;
    const c = classId[n];
    if (p < openUntil[c]) continue;
    retained[c] += g.retainedSize(n);
    openUntil[c] = exit[n];
  }
  const out: ClassAggregate[] = [];
  for (let c = 0; c < names.length; c++) {
    if (count[c] > 0) out.push({ name: names[c], count: count[c], selfSize: self[c], retainedSize: retained[c] });
  }
  return out.sort((a, b) => b.retainedSize - a.retainedSize || b.selfSize - a.selfSize || a.name.localeCompare(b.name));
}
