/**
 * The `perfloop/queries@1` result: top statements by total time (calls, mean, p95, rows), the duration
 * histogram, and findings (N+1 per request, slow statements) — from any observed-query source.
 */
import { rankFindings, type Finding } from '../core/finding.js';
import { findNPlusOne, type NPlusOneOptions } from './n-plus-one.js';
import type { ObservedQuery, ObservedRequest } from './query.js';
import { durationHistogram, queryStats, type DurationBucket, type QueryStats } from './query-stats.js';
import { findSlowQueries } from './slow-query.js';

export const QUERIES_SCHEMA = 'perfloop/queries@1';

export interface QueryTop {
  fingerprint: string;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  p95Ms: number;
  rows: number;
}

export interface QueriesReport {
  schema: typeof QUERIES_SCHEMA;
  top: QueryTop[];
  findings: Finding[];
  /** Statement durations, pgbadger-style buckets (`leMs` null: above the last bound). */
  histogram: DurationBucket[];
  source: { kind: string; queries: number; requests: number; notes: string[] };
}

export interface QueriesReportOptions extends Omit<NPlusOneOptions, 'requestDurationMs'> {
  /** How many statements in `top` (default 20). */
  top?: number;
  /** p95 at or above this is a slow statement (default 100 ms). */
  slowMs?: number;
}

export function queriesReport(
  input: {
    queries: readonly ObservedQuery[];
    requests?: readonly ObservedRequest[];
    stats?: QueryStats[];
    kind: string;
    notes?: string[];
  },
  options: QueriesReportOptions = {},
): QueriesReport {
  const stats = input.stats ?? queryStats(input.queries);
  const requests = input.requests ?? [];
  const requestMs = new Map(requests.map((r) => [r.id, r.durationMs]));
  const totalRequestMs = requests.reduce((s, r) => s + r.durationMs, 0);
  const findings = [
    ...findNPlusOne(input.queries, {
      minRepeats: options.minRepeats,
      minTotalMs: options.minTotalMs,
      requestDurationMs: requestMs,
    }),
    ...findSlowQueries(stats, { slowMs: options.slowMs, totalRequestMs: totalRequestMs || undefined }),
  ];
  return {
    schema: QUERIES_SCHEMA,
    top: stats.slice(0, options.top ?? 20).map(toTop),
    findings: rankFindings(findings),
    histogram: durationHistogram(input.queries),
    source: {
      kind: input.kind,
      queries: input.stats ? input.stats.reduce((s, x) => s + x.calls, 0) : input.queries.length,
      requests: requests.length,
      notes: input.notes ?? [],
    },
  };
}

export function toTop(s: QueryStats): QueryTop {
  return {
    fingerprint: s.fingerprint,
    query: s.query,
    calls: s.calls,
    totalMs: s.totalMs,
    meanMs: s.meanMs,
    p95Ms: s.p95Ms,
    rows: s.rows,
  };
}
