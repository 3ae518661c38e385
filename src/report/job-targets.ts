import type { RunRecord } from '../core/run.js';
import type { TargetRow } from './iteration-log.js';

/** The method's Performance Budget row for a background job: "< 30 s". */
export const DEFAULT_JOB_DURATION_TARGET_S = 30;

/** Current vs Target for job runs: duration (p95 of the runs), CPU time and peak RSS against the job's budget. */
export function jobTargetRows(first: RunRecord, last: RunRecord, targets: Record<string, number> | null): TargetRow[] {
  const t = targets ?? {};
  const row = (metric: string, target: number | undefined, get: (r: RunRecord) => number | null | undefined, unit: TargetRow['unit']): TargetRow => {
    const current = get(last) ?? null;
    return { metric, baseline: get(first) ?? null, current, target: target ?? null, met: target === undefined || current === null ? null : current <= target, unit };
  };
  const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
  const rows = [
    row('p95 job duration', seconds(t.duration_s ?? t.job_duration_s ?? DEFAULT_JOB_DURATION_TARGET_S), (r) => (r.job ? r.job.duration_s.p95 * 1000 : null), 'ms'),
    row('p50 job duration', undefined, (r) => (r.job ? r.job.duration_s.p50 * 1000 : null), 'ms'),
    row('CPU time per run (p95)', seconds(t.cpu_s), (r) => (r.job?.cpu_s ? r.job.cpu_s.p95 * 1000 : null), 'ms'),
    row('Peak RSS', t.peak_rss_mb, (r) => r.job?.peakRssMb, 'MB'),
  ];
  return rows;
}
