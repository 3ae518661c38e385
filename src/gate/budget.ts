import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PerfloopError } from '../core/errors.js';

/**
 * `performance-budget.json` in the method's form:
 * `{ "metrics": { "p95_latency_ms": { "max": 200 }, "error_rate": { "max": 0.01 }, "memory_mb": { "max": 512 } } }`.
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

const limit = z.object({ max: z.number().nonnegative().optional(), min: z.number().nonnegative().optional() }).strict();
const budgetSchema = z
  .object({
    metrics: z.object(Object.fromEntries(Object.keys(BUDGET_METRICS).map((k) => [k, limit.optional()]))).strict(),
  })
  .passthrough();

export interface Budget {
  /** Metric → limit; `max` for latencies, errors and resources, `min` for throughput. */
  limits: Partial<Record<BudgetMetric, { max?: number; min?: number }>>;
  source: string;
}

export function parseBudget(json: unknown, source: string): Budget {
  const r = budgetSchema.safeParse(json);
  if (!r.success) {
    const errors = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PerfloopError('BUDGET_INVALID', `${source}: ${errors.join('; ')}`, {
      hint: `known metrics: ${Object.keys(BUDGET_METRICS).join(', ')}`,
    });
  }
  return { limits: r.data.metrics as Budget['limits'], source };
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
