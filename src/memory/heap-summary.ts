import { classAggregates, type ClassAggregate } from './class-aggregates.js';
import type { HeapGraph } from './graph/heap-graph.js';
import { isProperAncestor } from './graph/tree-index.js';
import { retainerPath } from './retainer-path.js';
import { loadHeapGraph, type LoadOptions } from './snapshot/load.js';

export interface LargestRetainer {
  name: string;
  id: number;
  selfSize: number;
  retainedSize: number;
  /** Shortest retainer path from a GC root or global. */
  path: string;
}

export interface DuplicatedString {
  /** The string (first 120 characters). */
  value: string;
  count: number;
  /** Bytes all copies take. */
  size: number;
  /** Bytes one shared copy would save: size minus one copy. */
  wasted: number;
}

export interface HeapSummary {
  schema: 'perfloop/heap-summary@1';
  file: string;
  nodes: number;
  edges: number;
  totalSize: number;
  byConstructor: ClassAggregate[];
  largestRetainers: LargestRetainer[];
  duplicatedStrings: DuplicatedString[];
  /** Milliseconds: parsing the file, the dominator tree, and every other pass (worker and main thread). */
  timings: HeapTimings;
}

export interface HeapTimings {
  parseMs: number;
  dominatorsMs: number;
  analysisMs: number;
}

export interface SummaryOptions {
  /** Rows of largest retainers and duplicated strings (default 20). */
  top?: number;
  /** Called as each analysis starts (the CLI shows it on a TTY). */
  onPhase?: (phase: string) => void;
}

/** DevTools' Summary view plus the biggest single retainers and the strings stored many times over. */
export function summariseHeap(g: HeapGraph, options: SummaryOptions = {}): HeapSummary {
  const top = options.top ?? 20;
  const t0 = performance.now();
  options.onPhase?.('by constructor');
  const byConstructor = classAggregates(g);
  options.onPhase?.('largest retainers');
  const largest = largestRetainers(g, top);
  options.onPhase?.('duplicated strings');
  const duplicated = duplicatedStrings(g, top);
  return {
    schema: 'perfloop/heap-summary@1',
    file: g.file,
    nodes: g.nodeCount,
    edges: g.edgeCount,
    totalSize: g.totalSize,
    byConstructor,
    largestRetainers: largest,
    duplicatedStrings: duplicated,
    timings: addAnalysis(heapTimings([g]), performance.now() - t0),
  };
}

/** The workers' timings of the given graphs, summed (a diff's snapshots parse in parallel workers). */
export function heapTimings(graphs: readonly HeapGraph[]): HeapTimings {
  const t: HeapTimings = { parseMs: 0, dominatorsMs: 0, analysisMs: 0 };
  for (const g of graphs) {
    const w = g.data.timings;
    if (!w) continue;
    t.parseMs += w.parseMs;
    t.dominatorsMs += w.dominatorsMs;
    t.analysisMs += w.analysisMs;
  }
  return t;
}

export function addAnalysis(t: HeapTimings, mainThreadMs: number): HeapTimings {
  return { ...t, analysisMs: Math.round(t.analysisMs + mainThreadMs) };
}

/** Parses FILE in a worker and summarises it. */
export async function summariseHeapFile(file: string, options: SummaryOptions & LoadOptions = {}): Promise<HeapSummary> {
  const onPhase = options.onProgress ? (phase: string) => options.onProgress!({ file, phase, bytesRead: 0, totalBytes: 0 }) : undefined;
  return summariseHeap(await loadHeapGraph(file, options), { onPhase, ...options });
}

/**
 * The objects that retain most, skipping engine internals and any object that retains nearly the same as
 * one already listed above it in the dominator tree (a Map and its table are one finding, not two).
 * O(n + c log c + c·top) for c candidates (objects retaining ≥ 0.05 % of the heap): "is listed above it" is a
 * pre-order interval test against the ≤ top rows picked so far, never a walk up the dominator chain (which
 * went quadratic on a 240k-long linked list: 87 % of a 36 s summary).
 */
export function largestRetainers(g: HeapGraph, top: number): LargestRetainer[] {
  const T = g.L.node;
  const interesting = new Set([T.object, T.closure, T.native, T.regexp, T.string, T.consString]);
  const floor = g.totalSize / 2000;
  const candidates: number[] = [];
  for (let n = 0; n < g.nodeCount; n++) {
    if (n === g.root || !interesting.has(g.type(n)) || g.retainedSize(n) < floor) continue;
    const cls = g.className(n);
    if (cls.startsWith('system /')) continue;
    candidates.push(n);
  }
  const order = byRetainedDescending(g, candidates);
  const tree = order.length > 0 ? g.dominatorIndex() : undefined;
  const picked = new Uint32Array(top);
  const out: LargestRetainer[] = [];
  for (let i = 0; i < order.length && out.length < top; i++) {
    const n = order[i];
    const size = g.retainedSize(n);
    let shadowed = false;
    for (let k = 0; k < out.length && !shadowed; k++) shadowed = isProperAncestor(tree!, picked[k], n) && size >= 0.9 * g.retainedSize(picked[k]);
    if (shadowed) continue;
    picked[out.length] = n;
    out.push({ name: g.className(n), id: g.id(n), selfSize: g.selfSize(n), retainedSize: size, path: retainerPath(g, n).text });
  }
  return out;
}

/**
 * Nodes by retained size, largest first, equal sizes in ordinal order. O(c log c): when size and position fit
 * one double exactly (size · 2^bits(c) < 2^53 — any heap under ~4 TB / c), a native sort of packed keys, which
 * on the 2.5M candidates of a long chain is several times faster than a comparator sort (and than ranking by
 * binary search, which misses the cache on every probe); otherwise a comparator sort.
 */
function byRetainedDescending(g: HeapGraph, nodes: readonly number[]): Uint32Array {
  const c = nodes.length;
  const out = new Uint32Array(c);
  let max = 0;
  for (const n of nodes) max = Math.max(max, g.retainedSize(n));
  const scale = 2 ** Math.ceil(Math.log2(c + 1));
  if (Number.isSafeInteger(max) && (max + 1) * scale <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(c);
    for (let i = 0; i < c; i++) keys[i] = g.retainedSize(nodes[i]) * scale + (c - 1 - i);
    keys.sort();
    for (let k = 0; k < c; k++) out[k] = nodes[c - 1 - (keys[c - 1 - k] % scale)];
    return out;
  }
  out.set(nodes);
  return out.sort((a, b) => g.retainedSize(b) - g.retainedSize(a) || a - b);
}

/** Strings whose content exists in many copies (V8 interns names, so equal content shares a name index). O(n + s log s) for s strings. */
export function duplicatedStrings(g: HeapGraph, top: number): DuplicatedString[] {
  const T = g.L.node;
  // Per string-table index: copies and bytes (typed arrays: a big heap has millions of strings).
  const count = new Uint32Array(g.strings.length);
  const size = new Float64Array(g.strings.length);
  for (let n = 0; n < g.nodeCount; n++) {
    const t = g.type(n);
    if (t !== T.string && t !== T.slicedString) continue;
    const k = g.nameIndex(n);
    count[k]++;
    size[k] += g.rawSelfSize(n);
  }
  const dups: Array<{ k: number; wasted: number }> = [];
  for (let k = 0; k < count.length; k++) if (count[k] > 1) dups.push({ k, wasted: size[k] - size[k] / count[k] });
  dups.sort((a, b) => b.wasted - a.wasted || count[b.k] - count[a.k]);
  return dups.slice(0, top).map((d) => {
    const s = g.strings.get(d.k);
    return { value: s.length > 120 ? `${s.slice(0, 120)}…` : s, count: count[d.k], size: size[d.k], wasted: Math.round(d.wasted) };
  });
}
