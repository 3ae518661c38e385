import { Histogram } from '../core/histogram.js';
import { normaliseQuery, type ObservedQuery } from './query.js';

export interface QueryStats {
  fingerprint: string;
  /** One example of the statement as run. */
  query: string;
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
  const by = new Map<string, { query: string; h: Histogram; total: number; rows: number; max: number }>();
  let all = 0;
  for (const q of queries) {
    const fp = normaliseQuery(q.text);
    let s = by.get(fp);
    if (!s) by.set(fp, (s = { query: q.text, h: new Histogram(), total: 0, rows: 0, max: 0 }));
    s.h.recordMs(q.durationMs);
    s.total += q.durationMs;
    s.rows += q.rows;
    s.max = Math.max(s.max, q.durationMs);
    all += q.durationMs;
  }
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return [...by.entries()]
    .map(([fingerprint, s]) => ({
      fingerprint,
      query: s.query,
      calls: s.h.count,
      totalMs: r2(s.total),
      meanMs: r2(s.total / s.h.count),
      p95Ms: r2(s.h.percentile(95) / 1000),
      maxMs: r2(s.max),
      rows: s.rows,
      pctOfDbTime: all > 0 ? r2((100 * s.total) / all) : 0,
    }))
    .sort((a, b) => b.totalMs - a.totalMs);
}
