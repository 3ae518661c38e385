import type { EdgeColumns, NodeColumns } from '../snapshot/parser.js';
import type { Layout } from './layout.js';

export interface RetainerTree {
  /** The node one step closer to the root on a shortest path (-1 for the root and unreachable nodes). */
  parentNode: Int32Array;
  /** The edge (ordinal) from parentNode to the node. */
  parentEdge: Int32Array;
}

/** A working array of at least n words: a spare one when given, else a new one. */
export function words(n: number, spare: Uint32Array[] | undefined): Uint32Array {
  const s = spare?.pop();
  return s && s.length >= n ? s : new Uint32Array(n + 1);
}

/**
 * Shortest retainer paths: one breadth-first search from the root over strong edges, visiting the program's
 * globals (the root's shortcut edges) before the engine's GC roots so that, among equally short paths, the
 * one a reader recognises ("global.cache → …") wins over an internal handle. Weak edges, shortcuts below the
 * root and the WeakMap table's half of an ephemeron pair (`skip`) are not paths that keep anything alive.
 */
export function shortestRetainers(nodes: NodeColumns, edges: EdgeColumns, L: Layout, root: number, skipEdge: (edge: number, from: number) => boolean, spare?: Uint32Array[]): RetainerTree {
  const { firstEdge } = nodes;
  const nodeCount = firstEdge.length - 1;
  const parentNode = new Int32Array(words(nodeCount, spare).buffer, 0, nodeCount).fill(-1);
  const parentEdge = new Int32Array(words(nodeCount, spare).buffer, 0, nodeCount).fill(-1);
  const queue = words(nodeCount, spare);
  const seen = new Uint8Array(nodeCount);
  let tail = 0;
  seen[root] = 1;
  const { weak, shortcut } = L.edge;
  const synthetic = L.node.synthetic;
  const visit = (from: number, k: number) => {
    const t = edges.to[k];
    if (seen[t]) return;
    seen[t] = 1;
    parentNode[t] = from;
    parentEdge[t] = k;
    queue[tail++] = t;
  };
  // Root level: user roots (non-synthetic, e.g. the global object) first, then the GC roots.
  for (const userFirst of [true, false]) {
    for (let k = firstEdge[root]; k < firstEdge[root + 1]; k++) {
      if (edges.type[k] === weak) continue;
      const isUser = nodes.type[edges.to[k]] !== synthetic;
      if (isUser === userFirst) visit(root, k);
    }
  }
  for (let head = 0; head < tail; head++) {
    const n = queue[head];
    for (let k = firstEdge[n], end = firstEdge[n + 1]; k < end; k++) {
      const type = edges.type[k];
      if (type === weak || type === shortcut || skipEdge(k, n)) continue;
      visit(n, k);
    }
  }
  spare?.push(queue);
  return { parentNode, parentEdge };
}
