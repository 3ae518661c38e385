/**
 * The budget file's per-job limits, in the method's form (its Performance Budget row "Background job < 30 s"):
 * `"jobs": { "nightly-report": { "duration_s": { "max": 30 }, "peak_rss_mb": { "max": 512 }, "cpu_s": { "max": 20 } } }`.
 * A job's key is its `perfloop job --name` (default: the script's file name). `job_duration_s` (the name
 * for the metric) is accepted as a synonym of `duration_s`. Duration and CPU are held at their p95 over the runs —
 * a job that meets its budget only half the time does not meet it — and memory at the highest peak of any run.
 */
import { z } from 'zod';
import type { JobRecord } from '../core/run.js';

export const JOB_BUDGET_METRICS = ['duration_s', 'job_duration_s', 'peak_rss_mb', 'cpu_s'] as const;
export type JobBudgetMetric = (typeof JOB_BUDGET_METRICS)[number];

const jobLimit = z.object({ max: z.number().nonnegative() }).strict();

/** The `jobs` part of budgetSchema (src/gate/budget.ts). */
export const jobsBudgetSchema = z.record(
  z.string().min(1),
  z.object(Object.fromEntries(JOB_BUDGET_METRICS.map((k) => [k, jobLimit.optional()]))).strict(),
);

export type JobsBudget = Record<string, Partial<Record<JobBudgetMetric, { max: number }>>>;

export interface JobBudgetResult {
  job: string;
  metric: JobBudgetMetric;
  /** Which statistic of the runs was held to the limit, e.g. "p95 of 10 runs". */
  statistic: string;
  limit: number;
  actual: number | null;
  pass: boolean;
}

function actualOf(job: JobRecord, metric: JobBudgetMetric): { actual: number | null; statistic: string } {
  const n = job.runs.length;
  switch (metric) {
    case 'duration_s':
    case 'job_duration_s':
      return { actual: n > 0 ? job.duration_s.p95 : null, statistic: `p95 of ${n} runs` };
    case 'cpu_s':
      return { actual: job.cpu_s?.p95 ?? null, statistic: `p95 of ${n} runs` };
    case 'peak_rss_mb':
      return { actual: n > 0 ? job.peakRssMb : null, statistic: `highest of ${n} runs` };
  }
}

/** The limits the budget sets for this job (none when the budget does not name it). */
export function checkJobBudget(jobs: JobsBudget | undefined, job: JobRecord): JobBudgetResult[] {
  const limits = jobs?.[job.name];
  if (!limits) return [];
  return (Object.entries(limits) as [JobBudgetMetric, { max: number }][]).map(([metric, { max }]) => {
    const { actual, statistic } = actualOf(job, metric);
    // Not measured cannot pass.
    return { job: job.name, metric, statistic, limit: max, actual, pass: actual !== null && actual <= max };
  });
}
