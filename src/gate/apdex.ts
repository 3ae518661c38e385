import type { RunRecord } from '../core/run.js';
import { distributionFromHistogram, mergeDistributions } from './stats/distribution.js';

/**
 * Apdex (apdex.org): the share of requests that satisfied users, counting tolerated ones half —
 * (satisfied + tolerating / 2) / total, with satisfied ≤ T and tolerating ≤ 4T. Failed requests count as
 * frustrated whatever their latency; the histogram does not say which latencies failed, so failures are
 * taken evenly from every latency band.
 */
export const DEFAULT_APDEX_T_MS = 500;

export type ApdexRating = 'excellent' | 'good' | 'fair' | 'poor' | 'unacceptable';

export interface Apdex {
  tMs: number;
  score: number;
  rating: ApdexRating;
  satisfied: number;
  tolerating: number;
  frustrated: number;
}

export function apdexRating(score: number): ApdexRating {
  if (score >= 0.94) return 'excellent';
  if (score >= 0.85) return 'good';
  if (score >= 0.7) return 'fair';
  if (score >= 0.5) return 'poor';
  return 'unacceptable';
}

/** Apdex of one or more runs (their latency histograms merged); null when nothing was measured. */
export function apdexOf(runs: RunRecord | readonly RunRecord[], tMs = DEFAULT_APDEX_T_MS): Apdex | null {
  const list = Array.isArray(runs) ? runs : [runs as RunRecord];
  const d = mergeDistributions(list.map((r) => distributionFromHistogram(r.histograms.http_req_duration)));
  if (d.total === 0) return null;
  let sat = 0;
  let tol = 0;
  for (let i = 0; i < d.values.length; i++) {
    if (d.values[i] <= tMs) sat += d.counts[i];
    else if (d.values[i] <= 4 * tMs) tol += d.counts[i];
  }
  const failed = list.reduce((a, r) => a + r.metrics.http_req_failed.count, 0);
  const ok = Math.max(0, 1 - failed / d.total);
  const satisfied = Math.round(sat * ok);
  const tolerating = Math.round(tol * ok);
  const score = Math.round(((satisfied + tolerating / 2) / d.total) * 1000) / 1000;
  return {
    tMs,
    score,
    rating: apdexRating(score),
    satisfied,
    tolerating,
    frustrated: d.total - satisfied - tolerating,
  };
}
