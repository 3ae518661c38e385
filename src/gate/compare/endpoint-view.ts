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
  return { ...r, intervals };
}
