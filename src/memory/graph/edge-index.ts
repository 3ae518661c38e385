import type { EdgeColumns, NodeColumns } from '../snapshot/parser.js';

export interface Retainers {
  /** firstRetainer[n]..firstRetainer[n+1]: slots of the edges pointing at n. Length nodeCount + 1. */
  firstRetainer: Uint32Array;
  /** Source node of each slot. */
  retainerNode: Uint32Array;
  /** 1 when the slot's edge is essential (see essentialEdges): what the dominator search walks backwards. */
  retainerEssential: Uint8Array;
}

/**
 * Edges by target, by counting sort over the edges (stored in source order). Keeps each retaining edge's
 * source and whether it counts for retention, not the edge itself: that is all the dominator search needs,
 * and it saves four bytes per edge on a heap of tens of millions of edges.
 */
export function indexRetainers(nodes: NodeColumns, edges: EdgeColumns, essential: Uint8Array): Retainers {
  const nodeCount = nodes.firstEdge.length - 1;
  const edgeCount = edges.to.length;
  const firstRetainer = new Uint32Array(nodeCount + 1);
  for (let k = 0; k < edgeCount; k++) firstRetainer[edges.to[k] + 1]++;
  for (let n = 0; n < nodeCount; n++) firstRetainer[n + 1] += firstRetainer[n];
  const fill = firstRetainer.slice(0, nodeCount);
  const retainerNode = new Uint32Array(edgeCount);
  const retainerEssential = new Uint8Array(edgeCount);
  const { firstEdge } = nodes;
  for (let n = 0; n < nodeCount; n++) {
    for (let k = firstEdge[n], end = firstEdge[n + 1]; k < end; k++) {
      const s = fill[edges.to[k]]++;
      retainerNode[s] = n;
      retainerEssential[s] = essential[k];
    }
  }
  return { firstRetainer, retainerNode, retainerEssential };
}
