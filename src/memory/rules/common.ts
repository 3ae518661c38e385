import { severityForPct, type EstimatedImpact, type Severity } from '../../core/finding.js';
import { NOT_IN_TREE } from '../graph/tree-index.js';
import type { HeapRuleContext } from './types.js';

/** The method's common leak patterns (phase-15 Step 3): what each rule names as the likely cause. */
export const LIKELY_CAUSE = {
  listeners: 'Event listeners not removed',
  closures: 'Closures holding references',
  cache: 'Cache without eviction',
  globals: 'Global/static collections growing',
  timers: 'Timer callbacks holding references',
} as const;

/** A value per snapshot (missing = 0: below what the snapshot's facts record). */
export function perSnapshot(ctx: HeapRuleContext, read: (i: number) => number | undefined): number[] {
  return ctx.facts.map((_, i) => read(i) ?? 0);
}

/** Grew between every pair of consecutive snapshots. */
export function grewEveryStep(values: readonly number[]): boolean {
  if (values.length < 2) return false;
  for (let i = 1; i < values.length; i++) if (!(values[i] > values[i - 1])) return false;
  return true;
}

/**
 * Enough evidence to call growth a leak rather than something filling to a bound it has not reached yet:
 * at least this many snapshots spanning at least this many seconds. Below it a finding says "not yet known
 * whether bounded — run longer" and stays at `medium` at most.
 */
export const CONCLUSIVE = { snapshots: 4, spanS: 60 } as const;

/** True when the series is too short to tell an unbounded collection from a bounded one still filling. */
export function inconclusive(ctx: HeapRuleContext): boolean {
  return ctx.facts.length < CONCLUSIVE.snapshots || (ctx.spanS ?? 0) < CONCLUSIVE.spanS;
}

/**
 * The finding's weight: the share of the heap's growth (first → last snapshot) that this leak accounts for.
 * Two snapshots cannot tell a leak from a plateau, so their findings stay at `medium` at most; nor can a short
 * series (see CONCLUSIVE) tell a boundable growth (a collection, a global) from a cache still filling.
 */
export function weigh(
  ctx: HeapRuleContext,
  bytes: number,
  /** Growth that a bound could stop (a collection, a global): a short series cannot tell it from a leak. */
  boundable = false,
): { severity: Severity; estimatedImpact: EstimatedImpact } {
  const growth = Math.max(ctx.heapGrowth, 1);
  const pct = Math.max(0, Math.min(100, Math.round((100 * bytes) / growth)));
  let severity = severityForPct(pct);
  if (ctx.facts.length < 3 && (severity === 'high' || severity === 'critical')) severity = 'medium';
  if (boundable && inconclusive(ctx) && (severity === 'high' || severity === 'critical')) severity = 'medium';
  if (severity === 'info') severity = 'low';
  return {
    severity,
    estimatedImpact: { pct, basis: `share of the heap's growth between the first and last snapshot (${mb(ctx.heapGrowth)}) this accounts for` },
  };
}

/** Per rule context: which positions of the shortest-path tree's pre-order lie under a covered node. */
interface CoverageMarks {
  marked: Uint8Array;
  /** How many of ctx.covered (in insertion order) are marked already. */
  applied: number;
}
const coverage = new WeakMap<HeapRuleContext, CoverageMarks>();

/**
 * True when n's shortest retainer path passes through (or ends at) a node an earlier finding named. O(1) per
 * question; each covered node's subtree of the shortest-path tree is marked once when first asked about, and
 * subtrees already marked are jumped over, so all the marking together is O(n) — the walk up n's path this
 * replaces was O(depth) per question, quadratic when thousands of closures hang off a long chain.
 */
export function isCovered(ctx: HeapRuleContext, n: number): boolean {
  if (ctx.covered.size === 0) return false;
  if (ctx.covered.has(n)) return true;
  const g = ctx.last;
  const t = g.pathIndex();
  let marks = coverage.get(ctx);
  if (!marks) coverage.set(ctx, (marks = { marked: new Uint8Array(t.reached), applied: 0 }));
  if (marks.applied < ctx.covered.size) {
    let i = 0;
    for (const c of ctx.covered) {
      if (i++ < marks.applied) continue;
      const start = t.enter[c];
      if (start === NOT_IN_TREE) continue;
      for (let p = start, end = t.exit[c]; p < end; ) {
        if (marks.marked[p]) p = t.exit[t.order[p]]; // a covered subtree: already marked whole
        else marks.marked[p++] = 1;
      }
    }
    marks.applied = ctx.covered.size;
  }
  const at = t.enter[n];
  return at !== NOT_IN_TREE && marks.marked[at] === 1;
}

export function mb(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${Math.round(bytes)} B`;
}

/** "200 → 500 → 800". */
export function trail(values: readonly number[]): string {
  return values.map((v) => String(Math.round(v))).join(' → ');
}

/** Allocated after the first snapshot (and alive in the last): is node n one? */
export function isNewSinceFirst(ctx: HeapRuleContext, n: number): boolean {
  const r = ctx.newRange;
  if (!r) return false;
  const id = ctx.last.id(n);
  return id % 2 === 1 && id > r.afterId;
}

/**
 * Objects allocated after the first snapshot that the given nodes dominate (what the leak is made of), by
 * class, biggest first: `[{ name: 'Session', count: 600, size: 28800 }, …]`. O(size of their dominator
 * subtrees): called once per finding.
 */
export function newObjectsUnder(ctx: HeapRuleContext, roots: readonly number[], top = 5): Array<{ name: string; count: number; size: number }> {
  const g = ctx.last;
  if (!ctx.newRange) return [];
  const after = ctx.newRange.afterId;
  const acc = new Map<string, { count: number; size: number }>();
  // Each root's dominator subtree is a range of the pre-order; nested roots' ranges lie inside their ancestors'.
  const t = g.dominatorIndex();
  const starts = [...new Set(roots)].map((r) => t.enter[r]).filter((p) => p !== NOT_IN_TREE).sort((a, b) => a - b);
  let visited = 0;
  let done = 0;
  for (const start of starts) {
    for (let p = Math.max(start, done), end = t.exit[t.order[start]]; p < end && visited < 10_000_000; p++, visited++) {
      const n = t.order[p];
      const id = g.id(n);
      const self = g.selfSize(n);
      if (id % 2 !== 1 || id <= after || self === 0) continue;
      const name = g.className(n);
      const a = acc.get(name);
      if (a) {
        a.count++;
        a.size += self;
      } else acc.set(name, { count: 1, size: self });
    }
    done = Math.max(done, t.exit[t.order[start]]);
  }
  return [...acc.entries()]
    .sort((a, b) => b[1].size - a[1].size)
    .slice(0, top)
    .map(([name, a]) => ({ name, count: a.count, size: a.size }));
}
