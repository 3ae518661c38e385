import type { EdgeColumns, NodeColumns } from '../snapshot/parser.js';
import type { Layout } from './layout.js';

/**
 * Which nodes the program owns, as DevTools decides it: everything reachable over non-weak edges from the
 * root's shortcut edges (V8 adds one to each global object — "user roots") and, in browsers, from
 * "(Document DOM trees)". The dominator computation then ignores edges from nodes the program does not
 * own into nodes it does (the debugger's and the engine's own handles), so a global cache is retained
 * by the program's globals, not by some internal handle that happens to point at it too.
 */
export function pageOwnedNodes(nodes: NodeColumns, edges: EdgeColumns, L: Layout, strings: { equals(i: number, s: string): boolean }, root: number): Uint8Array {
  const { firstEdge } = nodes;
  const nodeCount = firstEdge.length - 1;
  const owned = new Uint8Array(nodeCount);
  const stack = new Uint32Array(nodeCount);
  let top = 0;
  const { shortcut, element, weak } = L.edge;
  for (let k = firstEdge[root]; k < firstEdge[root + 1]; k++) {
    const type = edges.type[k];
    const to = edges.to[k];
    if (type === element) {
      if (nodes.type[to] !== L.node.synthetic || !strings.equals(nodes.name[to], '(Document DOM trees)')) continue;
    } else if (type !== shortcut) continue;
    if (owned[to]) continue;
    owned[to] = 1;
    stack[top++] = to;
  }
  while (top > 0) {
    const n = stack[--top];
    for (let k = firstEdge[n], end = firstEdge[n + 1]; k < end; k++) {
      const to = edges.to[k];
      if (owned[to] || edges.type[k] === weak) continue;
      owned[to] = 1;
      stack[top++] = to;
    }
  }
  return owned;
}

/** True when the root has a non-synthetic child: a snapshot taken normally (not with internals exposed). */
export function hasUserRoots(nodes: NodeColumns, edges: EdgeColumns, L: Layout, root: number): boolean {
  for (let k = nodes.firstEdge[root]; k < nodes.firstEdge[root + 1]; k++) if (nodes.type[edges.to[k]] !== L.node.synthetic) return true;
  return false;
}
