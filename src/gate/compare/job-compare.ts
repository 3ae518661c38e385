/**
 * Before/after of job runs (`perfloop job`): the unit is one run of the job (wall time, CPU time, peak RSS, exit
 * status), the statistics are the service comparison's own (bootstrap interval over runs — over stored records
 * first when a side has repeats — rank tests, the same verdict rule). Rows reuse the comparison's metric names so
 * `gate` gates a job like a service: p50/p95 "latency" is the job's duration, the error rate its failed runs,
 * memory its peak RSS, CPU per request its CPU time per run.
 */
import type { JobRunMeasurement, RunRecord } from '../../core/run.js';
import { distributionFromValues } from '../stats/distribution.js';
import { compareLatency, compareMean, compareRatio, type MetricSpec, type MetricStats, type StatOptions } from '../stats/sample-compare.js';
import type { ComparisonMetric, ComparisonRow } from './compare-runs.js';
import { comparisonRow } from './comparison-row.js';

export const isJobRecord = (r: RunRecord): boolean => r.kind === 'job' && !!r.job;

interface JobMetricDef {
  label: string;
  unit: ComparisonRow['unit'];
  spec: MetricSpec;
}

const JOB_DEFS: Partial<Record<ComparisonMetric, JobMetricDef>> = {
  p50_latency_ms: { label: 'p50 job duration', unit: 'ms', spec: { higherIsBetter: false, minAbsolute: 1 } },
  p95_latency_ms: { label: 'p95 job duration', unit: 'ms', spec: { higherIsBetter: false, minAbsolute: 1 } },
  error_rate: { label: 'Failed runs', unit: 'ratio', spec: { higherIsBetter: false, minAbsolute: 0.001 } },
  memory_mb: { label: 'Peak RSS (mean of runs)', unit: 'MB', spec: { higherIsBetter: false, minAbsolute: 2 } },
  cpu_ms_per_request: { label: 'CPU time per run', unit: 'ms', spec: { higherIsBetter: false, minAbsolute: 1 } },
};

function runsOf(records: readonly RunRecord[]): { run: JobRunMeasurement; group: number }[] {
  return records.flatMap((r, g) => (r.job?.runs ?? []).map((run) => ({ run, group: g })));
}

function row(name: ComparisonMetric, s: MetricStats): ComparisonRow {
  return comparisonRow(name, JOB_DEFS[name]!, s, 'run', s.verdict === 'unknown' ? s.moreUnits : null);
}

export function compareJobRuns(
  before: readonly RunRecord[],
  after: readonly RunRecord[],
  wanted: ReadonlySet<ComparisonMetric>,
  o: StatOptions,
): ComparisonRow[] {
  const b = runsOf(before);
  const a = runsOf(after);
  const out: ComparisonRow[] = [];
  const latency = (['p50_latency_ms', 'p95_latency_ms'] as const).filter((m) => wanted.has(m));
  if (latency.length > 0) {
    // One unit per run: a distribution of one duration (ms), so a pooled percentile is the percentile of the runs.
    const units = (x: typeof b) => ({ dists: x.map((u) => distributionFromValues([u.run.wallS * 1000])), groups: x.map((u) => u.group) });
    const stats = compareLatency(units(b), units(a), latency.map((m) => (m === 'p50_latency_ms' ? 50 : 95)), latency.map((m) => JOB_DEFS[m]!.spec), o);
    latency.forEach((m, k) => out.push(row(m, stats[k])));
  }
  if (wanted.has('error_rate')) {
    const units = (x: typeof b) => ({ num: x.map((u) => (u.run.exitCode === 0 ? 0 : 1)), den: x.map(() => 1), groups: x.map((u) => u.group) });
    out.push(row('error_rate', compareRatio(units(b), units(a), JOB_DEFS.error_rate!.spec, o)));
  }
  if (wanted.has('memory_mb')) {
    const units = (x: typeof b) => ({ values: x.map((u) => u.run.peakRssMb), groups: x.map((u) => u.group) });
    out.push(row('memory_mb', compareMean(units(b), units(a), JOB_DEFS.memory_mb!.spec, o)));
  }
  if (wanted.has('cpu_ms_per_request')) {
    const units = (x: typeof b) => {
      const known = x.filter((u) => u.run.cpuS !== null);
      return { values: known.map((u) => u.run.cpuS! * 1000), groups: known.map((u) => u.group) };
    };
    const [ub, ua] = [units(b), units(a)];
    if (ub.values.length > 0 && ua.values.length > 0)
      out.push(row('cpu_ms_per_request', compareMean(ub, ua, JOB_DEFS.cpu_ms_per_request!.spec, o)));
  }
  return out;
}
