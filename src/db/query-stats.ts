import { Histogram } from '../core/histogram.js';
import type { ObservedQuery } from './query.js';
import { queryShape } from './sql/fingerprint.js';

export interface QueryStats {
  /** 16 hex digits from the PostgreSQL parser (libpg-query): one id per statement shape. */
  fingerprint: string;
  /** The statement's normal form: constants as `$n` (pg_stat_statements style). */
  query: string;
  /** One statement as it was run. */
  example: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
  rows: number;
  /** Share (0–100) of all observed query time. */
  pctOfDbTime: number;
}

/** Top queries by total time (pg_stat_statements' view, computed from observed queries). */
export function queryStats(queries: readonly ObservedQuery[]): QueryStats[] {
  const by = new Map<
    string,
    { query: string; example: string; h: Histogram; total: number; rows: number; max: number }
  >();
  let all = 0;
  for (const q of queries) {
    const shape = queryShape(q.text);
    let s = by.get(shape.fingerprint);
    if (!s)
      by.set(
        shape.fingerprint,
        (s = { query: shape.query, example: q.text, h: new Histogram(), total: 0, rows: 0, max: 0 }),
      );
    s.h.recordMs(q.durationMs);
    s.total += q.durationMs;
    s.rows += q.rows;
    s.max = Math.max(s.max, q.durationMs);
    all += q.durationMs;
  }
  return [...by.entries()]
    .map(([fingerprint, s]) => ({
      fingerprint,
      query: s.query,
      example: s.example,
      calls: s.h.count,
      totalMs: r2(s.total),
      meanMs: r2(s.total / s.h.count),
      p95Ms: r2(Math.min(s.h.percentile(95) / 1000, s.max)),
      maxMs: r2(s.max),
      rows: s.rows,
      pctOfDbTime: all > 0 ? r2((100 * s.total) / all) : 0,
    }))
    .sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls);
}

/** Statement durations in pgbadger-like buckets (upper bound in ms; the last one is open). */
export interface DurationBucket {
  leMs: number | null;
  count: number;
}

const BUCKET_BOUNDS_MS = [1, 5, 10, 50, 100, 500, 1000, 10_000];

export function durationHistogram(queries: readonly ObservedQuery[]): DurationBucket[] {
  const counts = new Array<number>(BUCKET_BOUNDS_MS.length + 1).fill(0);
  for (const q of queries) {
    const i = BUCKET_BOUNDS_MS.findIndex((b) => q.durationMs <= b);
    counts[i === -1 ? BUCKET_BOUNDS_MS.length : i]++;
  }
  return counts.map((count, i) => ({ leMs: BUCKET_BOUNDS_MS[i] ?? null, count }));
}

const r2 = (x: number) => Math.round(x * 100) / 100;
