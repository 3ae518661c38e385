import type { JobRecord, JobRunMeasurement, Percentiles } from '../core/run.js';
import { distributionFromValues, meanConfidenceInterval, quantile } from '../gate/stats/index.js';

/** Confidence of the duration interval. */
export const JOB_CI_CONFIDENCE = 0.95;

/** p50 and p95 with perfloop's percentile rule (nearest rank, as HdrHistogram), so jobs read like latencies. */
export function percentiles(values: readonly number[]): Percentiles | null {
  if (values.length === 0) return null;
  const d = distributionFromValues(values);
  return { p50: quantile(d, 50), p95: quantile(d, 95) };
}

const known = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

/** The run whose duration is closest to the median: the one whose profile and flame graph represent the job. */
export function representativeIndex(walls: readonly number[]): number {
  const p = percentiles(walls);
  if (!p) return -1;
  let best = 0;
  walls.forEach((w, i) => {
    if (Math.abs(w - p.p50) < Math.abs(walls[best] - p.p50)) best = i;
  });
  return best;
}

/** Width of the duration CI after the first 2, 3, … runs: how the estimate tightens as runs are added. */
export function ciWidths(walls: readonly number[], confidence = JOB_CI_CONFIDENCE): number[] {
  const out: number[] = [];
  for (let n = 2; n <= walls.length; n++) {
    const ci = meanConfidenceInterval(walls.slice(0, n), confidence).ci;
    out.push(ci ? ci[1] - ci[0] : NaN);
  }
  return out;
}

export function summariseJob(
  name: string,
  command: string[],
  runs: JobRunMeasurement[],
): Omit<JobRecord, 'representativeRun'> & { representativeRun: number } {
  const walls = runs.map((r) => r.wallS);
  const m = meanConfidenceInterval(walls, JOB_CI_CONFIDENCE);
  const p = percentiles(walls) ?? { p50: NaN, p95: NaN };
  return {
    name,
    command,
    runs,
    duration_s: { ...p, mean: m.mean, ci: m.ci },
    ciConfidence: JOB_CI_CONFIDENCE,
    cpu_s: percentiles(known(runs.map((r) => r.cpuS))),
    offCpu_s: percentiles(known(runs.map((r) => r.offCpuS))),
    peakRssMb: runs.reduce((mx, r) => Math.max(mx, r.peakRssMb), 0),
    representativeRun: representativeIndex(walls),
  };
}
