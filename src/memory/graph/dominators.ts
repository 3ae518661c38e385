import type { EdgeColumns, NodeColumns } from '../snapshot/parser.js';
import type { StringTable } from '../snapshot/string-table.js';
import { ESSENTIAL_BIT, NODE_MASK, type Retainers } from './edge-index.js';
import type { Layout } from './layout.js';

/** Whether edge `edge` (from node `from`) can keep its target alive. */
export type EssentialTest = (edge: number, from: number) => boolean;

/**
 * Which edges can keep an object alive, by Chrome DevTools' rules (HeapSnapshot.ts, computeIsEssentialEdge),
 * so that retained sizes agree with what DevTools shows for the same file:
 *  - weak edges never retain;
 *  - a WeakMap value is retained by its key and its table together: the table's edge is dropped, the key's kept;
 *  - self edges are ignored;
 *  - shortcut edges count only from the root (there they mark the global objects);
 *  - an edge from a node the program does not own into one it does is ignored (page-owned flags).
 * A test asked twice per edge (retainer index, depth-first search) rather than a byte per edge kept: a few
 * comparisons cost less than the 17 MB a 17M-edge heap would hold through the dominator search, its peak.
 */
export function essentialEdgeTest(nodes: NodeColumns, edges: EdgeColumns, L: Layout, strings: StringTable, owned: Uint8Array, root: number): EssentialTest {
  const { weak, shortcut, internal } = L.edge;
  const tableOf = weakMapTableIds(strings);
  const { type, to, name } = edges;
  const ids = nodes.id;
  return (k, n) => {
    const t = type[k];
    if (t === weak) return false;
    if (t === internal && tableOf(name[k]) === ids[n]) return false;
    const target = to[k];
    if (target === n) return false;
    if (n !== root && (t === shortcut || (owned[target] && !owned[n]))) return false;
    return true;
  };
}

const EPHEMERON = /^\d+ \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$/;
const MARK = Buffer.from(" pair in WeakMap (table @");

/**
 * V8 names the two edges retaining a WeakMap value "<n> / part of key (K @id) -> value (V @id) pair in
 * WeakMap (table @id)". Returns, per string index, the table id such a name mentions (-1 when it is not one),
 * decoding only strings that contain the marker.
 */
export function weakMapTableIds(strings: StringTable): (nameIndex: number) => number {
  const cache = new Map<number, number>();
  const { bytes, offsets } = strings;
  return (i: number) => {
    const start = offsets[i];
    const end = offsets[i + 1];
    if (end - start < 60 || bytes[start] < 48 || bytes[start] > 57) return -1;
    let hit = cache.get(i);
    if (hit !== undefined) return hit;
    hit = -1;
    if (Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).includes(MARK)) {
      const m = EPHEMERON.exec(strings.get(i));
      if (m) hit = Number(m[1]);
    }
    cache.set(i, hit);
    return hit;
  };
}

export interface Dominators {
  /** Immediate dominator (node ordinal) of each node; the root is its own. */
  dominator: Uint32Array;
  /** Self size plus the self sizes of every node it dominates. */
  retained: Float64Array;
  /** Nodes not reachable from the root over essential edges (attached to the root, as DevTools does). */
  unreachable: number;
  /** Working arrays (nodeCount + 1 words each) no longer needed: later passes reuse them instead of allocating. */
  spare: Uint32Array[];
}

/**
 * Immediate dominators by Lengauer & Tarjan, "A fast algorithm for finding dominators in a flowgraph"
 * (TOPLAS 1979), simple variant with path compression, iterative throughout (heap graphs are millions deep),
 * typed arrays only. Vertices are numbered 1..n (0 = none). Nodes the root cannot reach are handled as
 * DevTools does: first those with no essential retainer at all (held only weakly) are searched from with the
 * root as their parent, then any still left (cycles held only by each other) are attached to the root one
 * by one — so every node gets a dominator and the root's retained size is the whole heap.
 */
export function computeDominators(nodes: NodeColumns, edges: EdgeColumns, ret: Retainers, isEssential: EssentialTest, selfSize: Uint32Array, root: number): Dominators {
  const { firstEdge } = nodes;
  const nodeCount = firstEdge.length - 1;
  const { firstRetainer, retainerNode } = ret;
  const to = edges.to;
  const size = nodeCount + 1;
  // parent and ancestor share one buffer that becomes the retained sizes (Float64) once the search is done:
  // the dominator search's peak is the analysis' peak, and this keeps 8 bytes a node off it.
  const pairBuffer = new ArrayBuffer(8 * size);
  const parent = new Uint32Array(pairBuffer, 0, size);
  const ancestor = new Uint32Array(pairBuffer, 4 * size, size);
  const vertex = new Uint32Array(size);
  const label = new Uint32Array(size);
  const semi = new Uint32Array(size);
  const dom = new Uint32Array(size);
  const bucketHead = new Uint32Array(size);
  const bucketNext = new Uint32Array(size);
  // Next edge to look at per vertex during the search; afterwards the stack of compress().
  const nextEdge = new Uint32Array(size);
  let count = 0;

  /** Depth-first numbering from `start` (vertex), stopping when the walk climbs back above it. */
  const dfs = (start: number) => {
    const stop = parent[start];
    nextEdge[start] = firstEdge[start - 1];
    let v = start;
    while (v !== stop && v !== 0) {
      if (semi[v] === 0) {
        semi[v] = ++count;
        vertex[count] = v;
        label[v] = v;
      }
      let next = parent[v];
      const end = firstEdge[v];
      let k = nextEdge[v];
      for (; k < end; k++) {
        if (!isEssential(k, v - 1)) continue;
        const w = to[k] + 1;
        if (semi[w] === 0) {
          parent[w] = v;
          nextEdge[w] = firstEdge[w - 1];
          next = w;
          k++;
          break;
        }
      }
      nextEdge[v] = k;
      v = next;
    }
  };

  const hasEssentialRetainer = (ord: number) => {
    for (let s = firstRetainer[ord], end = firstRetainer[ord + 1]; s < end; s++) if (retainerNode[s] & ESSENTIAL_BIT) return true;
    return false;
  };

  const r = root + 1;
  dfs(r);
  const reached = count;
  if (count < nodeCount) {
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] === 0 && !hasEssentialRetainer(v - 1)) {
        parent[v] = r;
        dfs(v);
      }
    }
  }
  if (count < nodeCount) {
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] !== 0) continue;
      parent[v] = r;
      semi[v] = ++count;
      vertex[count] = v;
      label[v] = v;
    }
  }

  const stack = nextEdge;
  const compress = (v0: number) => {
    let sp = 0;
    let v = v0;
    while (ancestor[ancestor[v]] !== 0) {
      stack[sp++] = v;
      v = ancestor[v];
    }
    while (sp > 0) {
      const w = stack[--sp];
      const a = ancestor[w];
      if (semi[label[a]] < semi[label[w]]) label[w] = label[a];
      ancestor[w] = ancestor[a];
    }
  };
  const evaluate = (v: number) => {
    if (ancestor[v] === 0) return v;
    compress(v);
    return label[v];
  };

  for (let i = count; i >= 2; i--) {
    const w = vertex[i];
    const ord = w - 1;
    let orphan = true;
    for (let s = firstRetainer[ord], end = firstRetainer[ord + 1]; s < end; s++) {
      const from = retainerNode[s];
      if (!(from & ESSENTIAL_BIT)) continue;
      orphan = false;
      const u = evaluate((from & NODE_MASK) + 1);
      if (semi[u] < semi[w]) semi[w] = semi[u];
    }
    // A node nothing essential points at hangs off the root.
    if (orphan) semi[w] = semi[r];
    const sv = vertex[semi[w]];
    bucketNext[w] = bucketHead[sv];
    bucketHead[sv] = w;
    const p = parent[w];
    ancestor[w] = p; // link
    for (let v = bucketHead[p]; v !== 0; v = bucketNext[v]) {
      const u = evaluate(v);
      dom[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = 0;
  }
  dom[r] = r;
  for (let i = 2; i <= count; i++) {
    const w = vertex[i];
    if (dom[w] !== vertex[semi[w]]) dom[w] = dom[dom[w]];
  }

  // Ordinal-indexed dominators, in place: dominator[n] = dom[n + 1] - 1 (reading ahead of the write).
  for (let n = 0; n < nodeCount; n++) dom[n] = (dom[n + 1] || r) - 1;
  const dominator = dom.subarray(0, nodeCount);
  const retained = new Float64Array(pairBuffer, 0, nodeCount);
  for (let n = 0; n < nodeCount; n++) retained[n] = selfSize[n];
  for (let i = count; i >= 2; i--) {
    const n = vertex[i] - 1;
    retained[dominator[n]] += retained[n];
  }
  return { dominator, retained, unreachable: nodeCount - reached, spare: [vertex, label, semi, bucketHead, bucketNext, nextEdge] };
}
