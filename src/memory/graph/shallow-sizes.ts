import type { EdgeColumns, NodeColumns } from '../snapshot/parser.js';
import type { Layout } from './layout.js';

const UNVISITED = 0xffffffff;
const SHARED = 0xfffffffe;

/**
 * Self sizes as DevTools shows them: an internal array or hidden object (a Map's hash table, an object's
 * property backing store) reachable from exactly one "real" object is charged to that object, so a Map's
 * self size includes its table. Owners propagate over non-weak edges through chains of such nodes; a node
 * reached from two owners stays on its own. Skipped when the snapshot has no user roots (taken with
 * internals exposed), as DevTools does. `scratch` (nodeCount + 1 words, or more) is used as working memory.
 */
export function shallowSizes(nodes: NodeColumns, edges: EdgeColumns, L: Layout, withUserRoots: boolean, scratch?: Uint32Array): Uint32Array {
  const { firstEdge } = nodes;
  const nodeCount = firstEdge.length - 1;
  const self = Uint32Array.from(nodes.size);
  if (!withUserRoots) return self;
  const { hidden, array, synthetic } = L.node;
  const owner = scratch && scratch.length >= nodeCount ? scratch : new Uint32Array(nodeCount);
  // Each node enters the work stack at most twice: as its own owner or first owned, then once shared.
  const work = new Uint32Array(2 * nodeCount + 1);
  let top = 0;
  for (let n = 0; n < nodeCount; n++) {
    const t = nodes.type[n];
    if (t === hidden || t === array) owner[n] = UNVISITED;
    else {
      owner[n] = n;
      work[top++] = n;
    }
  }
  const weak = L.edge.weak;
  while (top > 0) {
    const n = work[--top];
    const own = owner[n];
    for (let k = firstEdge[n], end = firstEdge[n + 1]; k < end; k++) {
      if (edges.type[k] === weak) continue;
      const to = edges.to[k];
      const cur = owner[to];
      if (cur === UNVISITED) {
        owner[to] = own;
        work[top++] = to;
      } else if (cur !== to && cur !== own && cur !== SHARED) {
        owner[to] = SHARED;
        work[top++] = to;
      }
    }
  }
  for (let n = 0; n < nodeCount; n++) {
    const own = owner[n];
    if (own === UNVISITED || own === SHARED || own === n) continue;
    if (nodes.type[own] === synthetic) continue; // charging the root or "(GC roots)" explains nothing
    self[own] = Math.min(0xffffffff, self[own] + self[n]);
    self[n] = 0;
  }
  return self;
}
