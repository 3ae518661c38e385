import type { RunRecord } from '../core/run.js';
import type { AlertMetric, Budget } from './budget.js';

/**
 * Alert levels, as in the method's Alerting Thresholds table (p95 > 150/300 ms, error rate > 0.5/2 %,
 * memory > 80/95 %, CPU > 70/90 %), overridable per metric in the budget's `alerts`. Memory is a share of
 * the memory budget (`memory_mb`) when there is one, else of the machine's memory; CPU is % of one core,
 * which is what a Node service saturates.
 */
export type AlertLevel = 'ok' | 'warning' | 'critical' | 'unknown';

export const DEFAULT_ALERTS: Record<AlertMetric, { warning: number; critical: number } | undefined> = {
  p95_latency_ms: { warning: 150, critical: 300 },
  p99_latency_ms: undefined,
  error_rate: { warning: 0.005, critical: 0.02 },
  memory_pct: { warning: 80, critical: 95 },
  cpu_pct: { warning: 70, critical: 90 },
};

export const ALERT_ACTIONS: Record<AlertMetric, string> = {
  p95_latency_ms: 'Page on-call',
  p99_latency_ms: 'Page on-call',
  error_rate: 'Page on-call',
  memory_pct: 'Auto-scale / page',
  cpu_pct: 'Auto-scale',
};

export interface AlertCheck {
  metric: AlertMetric;
  value: number | null;
  warning: number;
  critical: number;
  level: AlertLevel;
  action: string;
  /** What the value is measured against, e.g. "of the 512 MB memory budget". */
  basis?: string;
}

export function levelOf(value: number | null, warning: number, critical: number): AlertLevel {
  if (value === null || !Number.isFinite(value)) return 'unknown';
  return value > critical ? 'critical' : value > warning ? 'warning' : 'ok';
}

export function alertLevels(r: RunRecord, budget?: Budget): AlertCheck[] {
  // The alerting table's levels (p95 latency, error rate, memory %) are a running service's; a batch job has none.
  if (r.kind === 'job') return [];
  const m = r.metrics;
  const memLimitMb =
    budget?.limits.memory_mb?.max ?? (r.run.machine.memoryGb > 0 ? r.run.machine.memoryGb * 1024 : null);
  const values: Record<AlertMetric, { value: number | null; basis?: string }> = {
    p95_latency_ms: { value: m.http_req_duration.p95 },
    p99_latency_ms: { value: m.http_req_duration.p99 },
    error_rate: { value: m.http_req_failed.rate },
    memory_pct: {
      value: m.memory && memLimitMb ? Math.round((1000 * m.memory.rssMaxMb) / memLimitMb) / 10 : null,
      basis:
        budget?.limits.memory_mb?.max !== undefined
          ? `of the ${memLimitMb} MB memory budget`
          : memLimitMb
            ? `of the machine's ${memLimitMb / 1024} GB`
            : undefined,
    },
    cpu_pct: { value: m.cpu?.meanPct ?? null, basis: 'of one core' },
  };
  const out: AlertCheck[] = [];
  for (const metric of Object.keys(DEFAULT_ALERTS) as AlertMetric[]) {
    const levels = budget?.alerts?.[metric] ?? DEFAULT_ALERTS[metric];
    if (!levels) continue;
    const { value, basis } = values[metric];
    out.push({
      metric,
      value,
      ...levels,
      level: levelOf(value, levels.warning, levels.critical),
      action: ALERT_ACTIONS[metric],
      ...(basis ? { basis } : {}),
    });
  }
  return out;
}
