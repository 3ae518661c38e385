import { severityForPct, type Finding } from '../core/finding.js';
import type { QueryStats } from './query-stats.js';

export interface SlowQueryOptions {
  /** A statement whose p95 is at least this is slow (default 100 ms). */
  slowMs?: number;
  /** Total wall time of the run's requests, to express the query's share of it. */
  totalRequestMs?: number;
}

/** Statements whose p95 crosses the slow threshold (the `log_min_duration_statement` idea, on percentiles). */
export function findSlowQueries(stats: readonly QueryStats[], options: SlowQueryOptions = {}): Finding[] {
  const slowMs = options.slowMs ?? 100;
  return stats
    .filter((s) => s.p95Ms >= slowMs)
    .map((s) => {
      const pct = options.totalRequestMs
        ? Math.min(100, Math.round((1000 * s.totalMs) / options.totalRequestMs) / 10)
        : s.pctOfDbTime;
      return {
        rule: 'db.slow-query',
        area: 'db',
        severity: severityForPct(pct),
        title: `Slow query (p95 ${s.p95Ms} ms, ${s.calls} calls): \`${s.query.slice(0, 90)}\``,
        evidence: { ...s, slowMs },
        recommendation:
          'Run `perfloop explain --db URL` on it: look for sequential scans, missing indexes and row misestimates.',
        estimatedImpact: {
          pct,
          basis: options.totalRequestMs
            ? 'share of request time spent in this statement'
            : 'share of database time',
        },
      } satisfies Finding;
    });
}
