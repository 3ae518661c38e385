import { computeDominators } from '../../src/memory/graph/dominators.js';
import { indexRetainers } from '../../src/memory/graph/edge-index.js';
import type { HeapGraph } from '../../src/memory/graph/heap-graph.js';
import type { EdgeColumns, NodeColumns } from '../../src/memory/snapshot/parser.js';

/**
 * Retained sizes by perfloop's dominator search under memlab's edge rules (@memlab/core 2.x,
 * TraceFinder.computeDominatorsAndRetainedSizes), with V8's self sizes as memlab counts them. memlab and
 * perfloop (= Chrome DevTools) differ in two rules, not in the algorithm:
 *  - page-owned flags: DevTools marks what the root's *shortcut* edges (the global objects) reach;
 *    memlab's flagReachableNodesFromWindow skips the shortcut edges and starts from every other root edge
 *    (the GC roots), so nearly the whole heap counts as owned and the "non-owned → owned edges do not
 *    retain" rule almost never applies — engine-internal handles then dominate objects DevTools charges to
 *    the program;
 *  - WeakMap values: DevTools drops the table's half of an ephemeron pair (the key alone retains the value);
 *    memlab keeps it.
 * Equal sizes here and memlab's own show the search agrees; perfloop's reported sizes differ where those two
 * rules do. O(n + m).
 */
export function retainedUnderMemlabRules(g: HeapGraph): Float64Array {
  const d = g.data;
  const nodes: NodeColumns = { type: d.nodeType, name: d.nodeName, id: d.nodeId, size: d.rawSize, firstEdge: d.firstEdge };
  const edges: EdgeColumns = { type: d.edgeType, name: d.edgeName, to: d.edgeTo };
  const { weak, shortcut, element } = g.L.edge;
  const root = g.root;
  const n = g.nodeCount;
  const owned = new Uint8Array(n);
  const stack = new Uint32Array(n);
  let top = 0;
  for (let k = d.firstEdge[root]; k < d.firstEdge[root + 1]; k++) {
    const to = d.edgeTo[k];
    const type = d.edgeType[k];
    if (type === shortcut) continue;
    if (type === element && g.type(to) === g.L.node.synthetic && g.name(to) === '(Document DOM trees)') continue;
    owned[to] = 1;
    stack[top++] = to;
  }
  while (top > 0) {
    const v = stack[--top];
    for (let k = d.firstEdge[v]; k < d.firstEdge[v + 1]; k++) {
      const to = d.edgeTo[k];
      if (owned[to] || d.edgeType[k] === weak) continue;
      owned[to] = 1;
      stack[top++] = to;
    }
  }
  const essential = new Uint8Array(d.edgeTo.length);
  for (let v = 0; v < n; v++) {
    for (let k = d.firstEdge[v]; k < d.firstEdge[v + 1]; k++) {
      const type = d.edgeType[k];
      const to = d.edgeTo[k];
      if (to === v || type === weak || (type === shortcut && v !== root)) continue;
      if (v !== root && owned[to] && !owned[v]) continue;
      essential[k] = 1;
    }
  }
  const isEssential = (k: number) => essential[k] === 1;
  const retainers = indexRetainers(nodes.firstEdge, edges.to, isEssential);
  return computeDominators(nodes, edges, retainers, isEssential, d.rawSize, root).retained;
}
