import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PerfloopError } from '../core/errors.js';
import { methodLabel, methodsFor, parseThresholdExpression } from '../load/thresholds/expression.js';
import { parseMetricRef } from '../load/thresholds/metric-ref.js';
import { jobsBudgetSchema, type JobsBudget } from './budget-jobs.js';
import { pagesBudgetSchema, type PageBudgets } from './budget-pages.js';

/**
 * `performance-budget.json` in the method's form:
 * `{ "metrics": { "p95_latency_ms": { "max": 200 }, "error_rate": { "max": 0.01 }, "memory_mb": { "max": 512 } } }`,
 * extended (every part optional) with:
 * - `operations`: the same limits per endpoint (request name), `{ "GET /api/orders": { "p95_latency_ms": { "max": 150 } } }`;
 * - `thresholds`: k6 threshold expressions, `{ "http_req_duration": ["p(95)<200"], "http_req_failed{name:login}": ["rate<0.01"] }`;
 * - `alerts`: warning/critical levels (defaults: the method's alerting table);
 * - `apdex`: `{ "t_ms": 500, "min": 0.85 }` (T, and optionally a minimum score the gate enforces);
 * - `regression`: the regression test's settings, `{ "min_effect_pct": 5, "alpha": 0.01, "metrics": [...] }`.
 */
export const BUDGET_METRICS = {
  p50_latency_ms: 'max',
  p90_latency_ms: 'max',
  p95_latency_ms: 'max',
  p99_latency_ms: 'max',
  max_latency_ms: 'max',
  error_rate: 'max',
  memory_mb: 'max',
  cpu_pct: 'max',
  throughput_rps: 'min',
} as const;

export type BudgetMetric = keyof typeof BUDGET_METRICS;

/** What an endpoint's summary can be held to. */
export const OPERATION_METRICS = [
  'p50_latency_ms',
  'p90_latency_ms',
  'p95_latency_ms',
  'p99_latency_ms',
  'max_latency_ms',
  'error_rate',
  'throughput_rps',
] as const;
export type OperationMetric = (typeof OPERATION_METRICS)[number];

export const ALERT_METRICS = [
  'p95_latency_ms',
  'p99_latency_ms',
  'error_rate',
  'memory_pct',
  'cpu_pct',
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** Metrics k6 threshold expressions may name in a budget (what a run record can answer). */
export const THRESHOLD_METRICS = ['http_req_duration', 'http_req_failed', 'http_reqs'] as const;
export const THRESHOLD_METRIC_TYPES = {
  http_req_duration: 'trend',
  http_req_failed: 'rate',
  http_reqs: 'counter',
} as const;

/** The metrics the regression test may gate on. */
export const REGRESSION_METRICS = [
  'p50_latency_ms',
  'p95_latency_ms',
  'p99_latency_ms',
  'throughput_rps',
  'error_rate',
  'memory_mb',
  'cpu_pct',
  'cpu_ms_per_request',
] as const;
export type RegressionMetric = (typeof REGRESSION_METRICS)[number];

/**
 * Gated by default: the median and p95, throughput, errors and memory. p99 of one-second windows is the
 * slowest few requests and swings with anything else on the machine; CPU % under a closed-loop load rises
 * with throughput. Both are compared and shown, and gated when listed in `regression.metrics`.
 */
export const DEFAULT_GATED_METRICS: readonly RegressionMetric[] = [
  'p50_latency_ms',
  'p95_latency_ms',
  'throughput_rps',
  'error_rate',
  'memory_mb',
];

const limit = z
  .object({ max: z.number().nonnegative().optional(), min: z.number().nonnegative().optional() })
  .strict();
const limits = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, limit.optional()]))).strict();
const level = z
  .object({ warning: z.number().nonnegative(), critical: z.number().nonnegative() })
  .strict()
  .refine((l) => l.warning <= l.critical, { message: 'warning must not be above critical' });

const thresholdList = z.array(
  z.union([
    z.string(),
    z
      .object({
        threshold: z.string(),
        abortOnFail: z.boolean().optional(),
        delayAbortEval: z.string().optional(),
      })
      .strict(),
  ]),
);

const budgetSchema = z
  .object({
    $schema: z.string().optional(),
    metrics: limits(Object.keys(BUDGET_METRICS) as BudgetMetric[]).optional(),
    operations: z.record(z.string(), limits(OPERATION_METRICS)).optional(),
    jobs: jobsBudgetSchema.optional(),
    pages: pagesBudgetSchema.optional(),
    thresholds: z
      .record(z.string(), z.union([z.string(), thresholdList]))
      .superRefine((t, ctx) => {
        for (const [key, raw] of Object.entries(t)) {
          let type: 'trend' | 'rate' | 'counter' | undefined;
          try {
            const ref = parseMetricRef(key);
            type = THRESHOLD_METRIC_TYPES[ref.name as keyof typeof THRESHOLD_METRIC_TYPES];
            if (!type)
              ctx.addIssue({
                code: 'custom',
                path: [key],
                message: `metric ${JSON.stringify(ref.name)} is not in a run record (use ${THRESHOLD_METRICS.join(', ')})`,
              });
          } catch (e) {
            ctx.addIssue({ code: 'custom', path: [key], message: (e as Error).message });
          }
          (Array.isArray(raw) ? raw : [raw]).forEach((item, i) => {
            const expr = typeof item === 'string' ? item : item.threshold;
            try {
              const e = parseThresholdExpression(expr);
              if (type && !methodsFor(type).includes(e.method))
                ctx.addIssue({
                  code: 'custom',
                  path: [key, i],
                  message: `${methodLabel(e)} does not apply to a ${type} metric (use ${methodsFor(type).join(', ')})`,
                });
            } catch (e) {
              ctx.addIssue({ code: 'custom', path: [key, i], message: (e as Error).message });
            }
          });
        }
      })
      .optional(),
    alerts: z
      .object(Object.fromEntries(ALERT_METRICS.map((k) => [k, level.optional()])))
      .strict()
      .optional(),
    apdex: z
      .object({ t_ms: z.number().positive(), min: z.number().min(0).max(1).optional() })
      .strict()
      .optional(),
    regression: z
      .object({
        min_effect_pct: z.number().positive().max(1000).optional(),
        alpha: z.number().positive().max(0.5).optional(),
        metrics: z.array(z.enum(REGRESSION_METRICS)).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

type Limits = { max?: number; min?: number };

export interface Budget {
  /** Metric → limit; `max` for latencies, errors and resources, `min` for throughput. */
  limits: Partial<Record<BudgetMetric, Limits>>;
  /** Endpoint (request name) → its limits. */
  operations?: Record<string, Partial<Record<OperationMetric, Limits>>>;
  /** Page (path or URL) → its timing limits (`perfloop page`). */
  pages?: PageBudgets;
  /** k6 thresholds: metric (or sub-metric) → expressions. */
  thresholds?: Record<string, string[]>;
  alerts?: Partial<Record<AlertMetric, { warning: number; critical: number }>>;
  apdex?: { tMs: number; min?: number };
  regression?: { minEffectPct?: number; alpha?: number; metrics?: RegressionMetric[] };
  /** Per-job limits (`perfloop job`), by job name. */
  jobs?: JobsBudget;
  source: string;
}

export function parseBudget(json: unknown, source: string): Budget {
  const r = budgetSchema.safeParse(json);
  if (!r.success) {
    const errors = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new PerfloopError('BUDGET_INVALID', `${source}: ${errors.join('; ')}`, {
      hint: `known metrics: ${Object.keys(BUDGET_METRICS).join(', ')}; top-level keys: metrics, operations, pages, jobs, thresholds, alerts, apdex, regression`,
    });
  }
  const d = r.data;
  const thresholds = d.thresholds
    ? Object.fromEntries(
        Object.entries(d.thresholds).map(([k, v]) => [
          k,
          (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : x.threshold)),
        ]),
      )
    : undefined;
  return {
    limits: (d.metrics ?? {}) as Budget['limits'],
    operations: d.operations as Budget['operations'],
    pages: d.pages as PageBudgets | undefined,
    thresholds,
    alerts: d.alerts as Budget['alerts'],
    apdex: d.apdex ? { tMs: d.apdex.t_ms, min: d.apdex.min } : undefined,
    regression: d.regression
      ? {
          minEffectPct: d.regression.min_effect_pct,
          alpha: d.regression.alpha,
          metrics: d.regression.metrics,
        }
      : undefined,
    jobs: d.jobs as JobsBudget | undefined,
    source,
  };
}

export function loadBudget(path: string): Budget {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PerfloopError('BUDGET_UNREADABLE', `cannot read budget ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PerfloopError('BUDGET_INVALID', `${path}: not JSON (${(e as Error).message})`);
  }
  return parseBudget(json, path);
}

/** The budget's targets as metric → number, for the report's Target column. */
export function budgetTargets(b: Budget | undefined): Record<string, number> | null {
  if (!b) return null;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.limits)) {
    const n = v?.max ?? v?.min;
    if (n !== undefined) out[k] = n;
  }
  return out;
}
