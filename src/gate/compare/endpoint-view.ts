import { Histogram } from '../../core/histogram.js';
import type { IntervalRecord, RunRecord } from '../../core/run.js';

/**
 * A run seen through one endpoint: its per-endpoint one-second intervals stand in for the whole mix's, so
 * compareRuns judges a change on the endpoint it was made for (a fix to one endpoint of five barely moves the
 * mix's percentiles). Null when the run has no intervals for that endpoint (one-URL runs, older records).
 */
export function endpointView(r: RunRecord, endpoint: string): RunRecord | null {
  if (!r.intervals.some((i) => i.endpoints?.[endpoint])) return null;
  const intervals: IntervalRecord[] = r.intervals.map((i) => {
    const e = i.endpoints?.[endpoint];
    return {
      t: i.t,
      count: e?.count ?? 0,
      errors: e?.errors ?? 0,
      histogram: e?.histogram ?? i.histogram,
      ...(i.disturbed && { disturbed: true }),
    };
  });
  // The view's headline numbers are the endpoint's own, so a table of the view agrees with its intervals.
  const merged = new Histogram();
  for (const i of intervals) if (i.count > 0) merged.merge(Histogram.decode(i.histogram));
  const summary = r.endpoints.find((e) => e.name === endpoint);
  const count = intervals.reduce((s, i) => s + i.count, 0);
  const errors = intervals.reduce((s, i) => s + i.errors, 0);
  const s = summary ?? merged.summaryMs();
  const duration = { p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, max: s.max, mean: s.mean, count: s.count };
  return {
    ...r,
    intervals,
    histograms: { ...r.histograms, http_req_duration: merged.encode() },
    metrics: {
      ...r.metrics,
      http_req_duration: duration,
      http_reqs: { count, rate: r.run.durationS > 0 ? Math.round((count / r.run.durationS) * 100) / 100 : 0 },
      http_req_failed: { ...r.metrics.http_req_failed, count: errors, rate: count > 0 ? errors / count : 0 },
    },
  };
}
