import type { HeapGraph } from './graph/heap-graph.js';

export interface RetainerStep {
  /** What the node is: its class, or `name()` for a named function. */
  node: string;
  id: number;
  /** The edge from this node to the next step ('' on the last). */
  edge: string;
  /** How many identical consecutive steps this one stands for (a linked list, a chain of contexts). */
  repeat?: number;
}

export interface RetainerPath {
  /** From the first node under the root (a GC root or a global) down to the object itself. */
  steps: RetainerStep[];
  /** One line: `global.cache → Map.table → (array)[…] → Session`. */
  text: string;
  /** Edges from the root. */
  depth: number;
}

/** How a node reads in a path. */
export function nodeLabel(g: HeapGraph, n: number): string {
  const cls = g.className(n);
  if (g.type(n) === g.L.node.closure) {
    const name = g.name(n);
    return name ? `${name}()` : 'Function';
  }
  if (cls === 'system / Context') return '(scope)';
  const t = g.type(n);
  if (t === g.L.node.synthetic || t === g.L.node.hidden || t === g.L.node.array || t === g.L.node.code) {
    // Engine objects read better by their own name: "PromiseReaction", "(object elements)".
    const name = g.name(n).replace(/^system \/ /, '');
    return name && name.length <= 40 ? name : cls;
  }
  return cls;
}

/** How an edge reads in a path: `.name` for named edges, `[i]` for indexes, `[…]` for a hash table's slots. */
export function edgeLabel(g: HeapGraph, e: number): string {
  const t = g.edgeType(e);
  if (t === g.L.edge.shortcut) return '';
  if (g.edgeHasIndex(e)) return `[${g.edgeNameIndex(e)}]`;
  const name = g.edgeName(e);
  if (/^\d+$/.test(name)) return '[…]';
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)}]`;
}

/** The edges on n's shortest path from the root, root first ([] for the root or an unreachable node). O(depth). */
export function pathEdges(g: HeapGraph, n: number): number[] {
  const { parentNode, parentEdge } = g.data;
  const out: number[] = [];
  for (let cur = n; cur !== g.root && parentNode[cur] >= 0; cur = parentNode[cur]) out.push(parentEdge[cur]);
  return out.reverse();
}

/** Edges on n's shortest path from the root. O(1) after the path tree's one-off O(n) index. */
export function pathDepth(g: HeapGraph, n: number): number {
  return g.pathIndex().depth![n];
}

const KEEP_HEAD = 3;
const KEEP_TAIL = 8;

/**
 * The shortest retainer path of n from a GC root or global, as steps and as one line. Runs of identical
 * steps collapse to one with a count (`{at, previous}.previous ×600`); very long paths keep their head and
 * tail around an ellipsis. O(depth) with a small constant: the walk goes up the shortest-path tree comparing
 * steps by numbers (class, name, edge type and name), and makes strings only where a run changes — a path
 * down a 2.5M-long linked list is one step ×2.5M, not 2.5M step objects.
 */
export function retainerPath(g: HeapGraph, n: number): RetainerPath {
  const { parentNode, parentEdge } = g.data;
  // Steps from n up to the first node under the root, collapsed as they come; reversed at the end.
  const up: RetainerStep[] = [{ node: nodeLabel(g, n), id: g.id(n), edge: '' }];
  let depth = 0;
  // The current run's step as numbers: equal numbers give equal labels (nodeLabel and edgeLabel read nothing
  // else), so a run extends without making strings.
  let runClass = -1;
  let runName = -1;
  let runType = -1;
  let runEdgeType = -1;
  let runEdgeName = -1;
  for (let cur = n; cur !== g.root && parentNode[cur] >= 0; cur = parentNode[cur]) {
    depth++;
    const from = parentNode[cur];
    if (from === g.root) break;
    const e = parentEdge[cur];
    const cls = g.classIdOf(from);
    const name = g.nameIndex(from);
    const type = g.type(from);
    const edgeType = g.edgeType(e);
    const edgeName = g.edgeNameIndex(e);
    const last = up[up.length - 1];
    if (cls === runClass && name === runName && type === runType && edgeType === runEdgeType && edgeName === runEdgeName) {
      last.repeat = (last.repeat ?? 1) + 1;
      last.id = g.id(from);
      continue;
    }
    runClass = cls;
    runName = name;
    runType = type;
    runEdgeType = edgeType;
    runEdgeName = edgeName;
    const step: RetainerStep = { node: nodeLabel(g, from), id: g.id(from), edge: edgeLabel(g, e) };
    if (up.length > 1 && last.node === step.node && last.edge === step.edge) {
      last.repeat = (last.repeat ?? 1) + 1;
      last.id = step.id;
    } else up.push(step);
  }
  const steps = up.reverse();
  const show = (s: RetainerStep) => `${s.node}${s.edge}${s.repeat ? ` ×${s.repeat}` : ''}`;
  let parts = collapseCycles(steps.map(show));
  if (parts.length > KEEP_HEAD + KEEP_TAIL + 1) parts = [...parts.slice(0, KEEP_HEAD), '…', ...parts.slice(-KEEP_TAIL)];
  if (parts.length === 1 && depth === 0 && n !== g.root) parts.unshift('(unreachable)');
  return { steps, text: parts.join(' → '), depth };
}

/** Runs of a repeated block of 2–4 steps (a chain through closures and scopes) become `(a → b → c) ×N`. */
function collapseCycles(parts: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < parts.length) {
    let best = { k: 0, reps: 1 };
    for (let k = 2; k <= 4; k++) {
      let reps = 1;
      while (i + (reps + 1) * k <= parts.length - 1 && parts.slice(i + reps * k, i + (reps + 1) * k).every((p, j) => p === parts[i + j])) reps++;
      if (reps >= 2 && reps * k > best.reps * best.k) best = { k, reps };
    }
    if (best.k > 0) {
      out.push(`(${parts.slice(i, i + best.k).join(' → ')}) ×${best.reps}`);
      i += best.k * best.reps;
    } else out.push(parts[i++]);
  }
  return out;
}

/**
 * Paths' shapes for clustering: holder classes and edge names with indexes and table slots blurred, so
 * 10,000 objects held at `cache.table[…]` form one cluster. Returns a function from node to a shape id (equal
 * ids, equal shapes). Shapes are interned as (parent shape, last step) pairs and memoised per node, so all
 * the nodes of a graph cost O(n) together however deep their paths — never a walk to the root per node.
 */
export function pathSignatures(g: HeapGraph): (n: number) => number {
  const { parentNode, parentEdge } = g.data;
  const memo = new Int32Array(g.nodeCount).fill(-1);
  memo[g.root] = 0;
  // Shape 0 is the empty path; lastStep[id] is the final step of shape id (repeats of it collapse).
  const lastStep: string[] = [''];
  const interned = new Map<string, number>();
  const stepOf = (from: number, e: number) => {
    const label = g.edgeHasIndex(e) ? '[]' : edgeLabel(g, e).replace(/^\[.*\]$/, '[]');
    return `${g.classIdOf(from)}${label}`;
  };
  const chain: number[] = [];
  return (n: number) => {
    let cur = n;
    chain.length = 0;
    while (memo[cur] < 0) {
      if (parentNode[cur] < 0) {
        memo[cur] = 0; // unreachable: no path
        break;
      }
      chain.push(cur);
      cur = parentNode[cur];
    }
    let shape = memo[cur];
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i];
      const step = stepOf(parentNode[c], parentEdge[c]);
      if (lastStep[shape] !== step) {
        const key = `${shape}\u0000${step}`;
        let id = interned.get(key);
        if (id === undefined) {
          id = lastStep.length;
          lastStep.push(step);
          interned.set(key, id);
        }
        shape = id;
      }
      memo[c] = shape;
    }
    return memo[n];
  };
}
