import { statSync } from 'node:fs';
import { PerfloopError } from '../core/errors.js';
import { rankFindings, type Finding } from '../core/finding.js';
import type { HeapGraph } from './graph/heap-graph.js';
import { addAnalysis, heapTimings, type HeapTimings } from './heap-summary.js';
import { leakClusters, type LeakCluster } from './leak-clusters.js';
import { HEAP_RULES, type HeapRule, type HeapRuleContext } from './rules/index.js';
import { Scopes } from './scopes.js';
import { loadHeapGraph, type LoadOptions } from './snapshot/load.js';
import { extractFacts, type SnapshotFacts } from './snapshot-facts.js';

export interface DiffSnapshot {
  file: string;
  nodes: number;
  edges: number;
  totalSize: number;
  /** When the file was written (its mtime), ISO 8601. */
  takenAt: string;
}

export interface GrowingClass {
  name: string;
  /** Last snapshot minus first. */
  countDelta: number;
  sizeDelta: number;
  retainedDelta: number;
  /** The count grew between every pair of consecutive snapshots. */
  monotonic: boolean;
  /** Objects of the class in the last snapshot allocated after the first one. */
  new: number;
  /** Objects of the class in the first snapshot gone from the last one. */
  deleted: number;
}

export interface HeapDiff {
  schema: 'perfloop/heap-diff@1';
  snapshots: DiffSnapshot[];
  /** Classes that grew (count or self size), biggest size growth first; at most 100. */
  growing: GrowingClass[];
  /** Objects allocated between the first and second snapshot and still alive in the last, by retainer path. */
  leaks: LeakCluster[];
  findings: Finding[];
  /** Milliseconds, summed over the snapshots: parsing, dominator trees, every other pass. */
  timings: HeapTimings;
}

export interface DiffOptions extends LoadOptions {
  /** Rules to run (default: all of HEAP_RULES). */
  rules?: readonly HeapRule[];
}

const MAX_GROWING = 100;

/**
 * Compares heap snapshots of one process taken in order (S1 S2 [S3 …]): per class what grew, the objects
 * allocated between S1 and S2 that the last snapshot still holds (clustered by retainer path), and the leak
 * rules' findings. Snapshots parse in worker threads; only the last one's graph is kept whole, the others
 * are reduced to their facts as soon as they arrive. O(n + m) per snapshot (parse, dominators, facts, rules,
 * leak clusters), plus O(n log n) to match the first snapshot's object ids against the last's.
 */
export async function diffHeapSnapshots(files: readonly string[], options: DiffOptions = {}): Promise<HeapDiff> {
  if (files.length < 2) throw new PerfloopError('USAGE', 'heap diff needs at least two snapshots of the same process, oldest first', { exitCode: 2 });
  const facts: SnapshotFacts[] = new Array(files.length);
  const firstIds: { ids?: Uint32Array; classes?: Uint32Array; names?: string[] } = {};
  let last: HeapGraph | undefined;
  let lastScopes: Scopes | undefined;
  const workerTimings: HeapTimings[] = [];
  let mainMs = 0;
  const progress = (file: string, phase: string) => options.onProgress?.({ file, phase, bytesRead: 0, totalBytes: 0 });
  // One bad file stops the others' workers (no waiting for a 1 GB parse to finish just to report an error).
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  options.signal?.addEventListener('abort', onAbort);
  try {
    await Promise.all(
      files.map(async (file, i) => {
        const g = await loadHeapGraph(file, { ...options, signal: abort.signal });
        workerTimings.push(heapTimings([g]));
        const t0 = performance.now();
        progress(file, 'facts');
        const scopes = new Scopes(g);
        facts[i] = extractFacts(g, scopes);
        if (i === 0) Object.assign(firstIds, idsWithClass(g));
        mainMs += performance.now() - t0;
        if (i === files.length - 1) {
          last = g;
          lastScopes = scopes;
        }
      }),
    );
  } catch (e) {
    abort.abort();
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const g = last!;
  const first = facts[0];
  const lastFacts = facts[facts.length - 1];
  const sameProcess = facts.every((f, i) => i === 0 || f.maxJsObjectId >= facts[i - 1].maxJsObjectId);
  const newRange = sameProcess && facts[1].maxJsObjectId > first.maxJsObjectId ? { afterId: first.maxJsObjectId, upToId: facts[1].maxJsObjectId } : undefined;
  const ctx: HeapRuleContext = {
    facts,
    last: g,
    scopes: lastScopes!,
    heapGrowth: lastFacts.totalSize - first.totalSize,
    newRange,
    spanS: spanSeconds(files),
    covered: new Set(),
  };
  const t0 = performance.now();
  const findings: Finding[] = [];
  for (const rule of options.rules ?? HEAP_RULES) {
    progress(g.file, `rule ${rule.id}`);
    findings.push(...rule.run(ctx));
  }
  progress(g.file, 'growing classes and leak clusters');
  const growing = growingClasses(facts, g, firstIds, sameProcess);
  const leaks = newRange ? leakClusters(g, newRange.afterId, newRange.upToId) : [];
  mainMs += performance.now() - t0;
  const timings = workerTimings.reduce((a, t) => ({ parseMs: a.parseMs + t.parseMs, dominatorsMs: a.dominatorsMs + t.dominatorsMs, analysisMs: a.analysisMs + t.analysisMs }));
  return {
    schema: 'perfloop/heap-diff@1',
    snapshots: facts.map((f) => ({ file: f.file, nodes: f.nodes, edges: f.edges, totalSize: f.totalSize, takenAt: mtime(f.file) })),
    growing,
    leaks,
    findings: rankFindings(findings),
    timings: addAnalysis(timings, mainMs),
  };
}

/** Seconds between the first and the last snapshot file (their modification times). */
function spanSeconds(files: readonly string[]): number | undefined {
  const t = files.map((f) => Date.parse(mtime(f)));
  return t.every(Number.isFinite) ? Math.round((t[t.length - 1] - t[0]) / 1000) : undefined;
}

function mtime(file: string): string {
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return '';
  }
}

/** The first snapshot's object ids and classes, kept to count per class what the last one no longer has. */
function idsWithClass(g: HeapGraph): { ids: Uint32Array; classes: Uint32Array; names: string[] } {
  const ids = new Uint32Array(g.nodeCount);
  const classes = new Uint32Array(g.nodeCount);
  let k = 0;
  for (let n = 0; n < g.nodeCount; n++) {
    if (g.selfSize(n) === 0) continue;
    ids[k] = g.id(n);
    classes[k++] = g.classIdOf(n);
  }
  return { ids: ids.slice(0, k), classes: classes.slice(0, k), names: g.data.classNames };
}

function growingClasses(facts: readonly SnapshotFacts[], g: HeapGraph, firstIds: { ids?: Uint32Array; classes?: Uint32Array; names?: string[] }, sameProcess: boolean): GrowingClass[] {
  const first = facts[0];
  const lastFacts = facts[facts.length - 1];
  const newCount = new Map<string, number>();
  const deleted = new Map<string, number>();
  if (sameProcess) {
    const lastIds = new Uint32Array(g.nodeCount);
    for (let n = 0; n < g.nodeCount; n++) {
      lastIds[n] = g.id(n);
      if (g.selfSize(n) > 0 && g.id(n) > first.maxJsObjectId && g.id(n) % 2 === 1) newCount.set(g.className(n), (newCount.get(g.className(n)) ?? 0) + 1);
    }
    lastIds.sort();
    const { ids, classes, names } = firstIds;
    if (ids && classes && names) {
      for (let k = 0; k < ids.length; k++) {
        if (!contains(lastIds, ids[k])) deleted.set(names[classes[k]], (deleted.get(names[classes[k]]) ?? 0) + 1);
      }
    }
  }
  const out: GrowingClass[] = [];
  for (const [name, c] of lastFacts.classes) {
    const f = first.classes.get(name);
    const countDelta = c.count - (f?.count ?? 0);
    const sizeDelta = c.selfSize - (f?.selfSize ?? 0);
    if (countDelta <= 0 && sizeDelta <= 0) continue;
    const counts = facts.map((x) => x.classes.get(name)?.count ?? 0);
    out.push({
      name,
      countDelta,
      sizeDelta,
      retainedDelta: c.retainedSize - (f?.retainedSize ?? 0),
      monotonic: counts.every((v, i) => i === 0 || v > counts[i - 1]),
      new: newCount.get(name) ?? 0,
      deleted: deleted.get(name) ?? 0,
    });
  }
  return out.sort((a, b) => b.sizeDelta - a.sizeDelta || b.countDelta - a.countDelta || a.name.localeCompare(b.name)).slice(0, MAX_GROWING);
}

function contains(sorted: Uint32Array, v: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = sorted[mid];
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
