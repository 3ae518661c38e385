export interface Retainers {
  /** firstRetainer[n]..firstRetainer[n+1]: slots of the edges pointing at n. Length nodeCount + 1. */
  firstRetainer: Uint32Array;
  /**
   * Source node of each slot, with ESSENTIAL_BIT set when the slot's edge counts for retention (see
   * essentialEdgeTest; only when the index was built with the flags). Node ordinals stay below 2^31 — a heap of
   * 2^31 nodes would need hundreds of GB — so the flag rides in the top bit instead of costing a byte per edge.
   */
  retainerNode: Uint32Array;
}

export const ESSENTIAL_BIT = 0x80000000;
export const NODE_MASK = 0x7fffffff;

/**
 * Edges by target, by counting sort over the edges (stored in source order): O(nodes + edges), 4 bytes per
 * edge and per node. Keeps each retaining edge's source (and, given `isEssential`, whether it counts for
 * retention), not the edge itself: that is all the dominator search and the scope lookups need.
 */
export function indexRetainers(firstEdge: Uint32Array, to: Uint32Array, isEssential?: (edge: number, from: number) => boolean): Retainers {
  const nodeCount = firstEdge.length - 1;
  if (nodeCount > NODE_MASK) throw new RangeError(`${nodeCount} nodes: more than the retainer index can address`);
  const edgeCount = to.length;
  const firstRetainer = new Uint32Array(nodeCount + 1);
  for (let k = 0; k < edgeCount; k++) firstRetainer[to[k] + 1]++;
  for (let n = 0; n < nodeCount; n++) firstRetainer[n + 1] += firstRetainer[n];
  const retainerNode = new Uint32Array(edgeCount);
  // Fill each target's slots from its end backwards (edges visited last first), so the slots keep source
  // order and firstRetainer[t + 1] steps back to t's start; then shift the starts into place — no copy.
  for (let n = nodeCount - 1; n >= 0; n--) {
    for (let k = firstEdge[n + 1] - 1, start = firstEdge[n]; k >= start; k--) {
      const s = --firstRetainer[to[k] + 1];
      retainerNode[s] = isEssential?.(k, n) ? (n | ESSENTIAL_BIT) >>> 0 : n;
    }
  }
  firstRetainer.copyWithin(0, 1);
  firstRetainer[nodeCount] = edgeCount;
  return { firstRetainer, retainerNode };
}
