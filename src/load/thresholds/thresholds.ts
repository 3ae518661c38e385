import type { MetricSet } from '../../core/metric-set.js';
import type { CounterSink, GaugeSink, MetricType, RateSink, Sink, TrendSink } from '../../core/metric.js';
import { toMs } from '../executors/config-check.js';
import {
  compare,
  methodLabel,
  methodsFor,
  parseThresholdExpression,
  type ThresholdExpression,
} from './expression.js';
import { parseMetricRef, type MetricRef } from './metric-ref.js';

/** One threshold: an expression on a metric or sub-metric, with k6's abortOnFail/delayAbortEval. */
export interface ThresholdDef {
  metric: MetricRef;
  expression: ThresholdExpression;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

export interface ThresholdResult {
  def: ThresholdDef;
  /** The aggregated value the expression was judged on (ms for time metrics). */
  value: number;
  ok: boolean;
}

/** k6's `thresholds` option: `{ metric: ['p(95)<200', { threshold, abortOnFail, delayAbortEval }] }`. */
export type ThresholdsConfig = Record<string, unknown>;

/**
 * Parses a `thresholds` object, every problem listed with its path. `metricType` says which metrics exist
 * (built-in or declared custom metrics) so a threshold on an unknown metric is reported instead of passing.
 */
export function parseThresholds(
  config: unknown,
  metricType: (name: string) => MetricType | undefined,
  path = 'thresholds',
): { defs: ThresholdDef[]; errors: string[] } {
  const defs: ThresholdDef[] = [];
  const errors: string[] = [];
  if (config === undefined) return { defs, errors };
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return { defs, errors: [`${path}: must be an object { metric: [expressions] }`] };
  }
  for (const [key, raw] of Object.entries(config)) {
    const kp = `${path}[${JSON.stringify(key)}]`;
    let metric: MetricRef;
    try {
      metric = parseMetricRef(key);
    } catch (e) {
      errors.push(`${kp}: ${(e as Error).message}`);
      continue;
    }
    const type = metricType(metric.name);
    if (!type) {
      errors.push(
        `${kp}: metric ${JSON.stringify(metric.name)} does not exist (k6 would ignore this threshold silently)`,
      );
      continue;
    }
    const items =
      typeof raw === 'string' || (typeof raw === 'object' && raw !== null && !Array.isArray(raw))
        ? [raw]
        : raw;
    if (!Array.isArray(items)) {
      errors.push(`${kp}: must be a list of expressions like "p(95)<200"`);
      continue;
    }
    items.forEach((item, i) => {
      const ip = `${kp}[${i}]`;
      let source: unknown = item;
      let abortOnFail = false;
      let delayAbortEvalMs = 0;
      if (typeof item === 'object' && item !== null) {
        const o = item as Record<string, unknown>;
        source = o.threshold;
        if (o.abortOnFail !== undefined && typeof o.abortOnFail !== 'boolean')
          errors.push(`${ip}.abortOnFail: must be true or false`);
        abortOnFail = o.abortOnFail === true;
        if (o.delayAbortEval !== undefined) {
          const ms = toMs(o.delayAbortEval);
          if (ms === undefined) errors.push(`${ip}.delayAbortEval: must be a duration like "10s"`);
          else delayAbortEvalMs = ms;
        }
        for (const k of Object.keys(o))
          if (!['threshold', 'abortOnFail', 'delayAbortEval'].includes(k))
            errors.push(`${ip}.${k}: unknown field`);
      }
      if (typeof source !== 'string') {
        errors.push(`${ip}: must be an expression string or { threshold, abortOnFail, delayAbortEval }`);
        return;
      }
      try {
        const expression = parseThresholdExpression(source);
        if (!methodsFor(type).includes(expression.method)) {
          errors.push(
            `${ip}: ${methodLabel(expression)} does not apply to ${metric.name}, a ${type} (use ${methodsFor(
              type,
            )
              .map((m) => (m === 'p' ? 'p(N)' : m))
              .join(', ')})`,
          );
          return;
        }
        defs.push({ metric, expression, abortOnFail, delayAbortEvalMs });
      } catch (e) {
        errors.push(`${ip}: ${(e as Error).message}`);
      }
    });
  }
  return { defs, errors };
}

/**
 * A `--threshold` flag: `p(95)<200` applies to http_req_duration; `http_req_failed: rate<0.01` or
 * `http_req_duration{name:login}: p(99)<300` names the metric. Returns [metric key, expression].
 */
export function splitThresholdFlag(text: string): [string, string] {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_.-]*(?:\{[^}]*\})?)\s*:\s*(.+)$/.exec(text);
  return m ? [m[1], m[2].trim()] : ['http_req_duration', text.trim()];
}

/** Adds `--threshold` flags to a thresholds object (k6 form). */
export function withThresholdFlags(
  config: ThresholdsConfig | undefined,
  flags: readonly string[],
): ThresholdsConfig | undefined {
  if (flags.length === 0) return config;
  const out: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(config ?? {})) out[k] = Array.isArray(v) ? [...v] : [v];
  for (const f of flags) {
    const [metric, expr] = splitThresholdFlag(f);
    (out[metric] ??= []).push(expr);
  }
  return out;
}

/** The value a method reads from a sink: ms for time trends, per second for counter rates. */
export function aggregate(sink: Sink | undefined, e: ThresholdExpression, durationS: number): number {
  if (!sink) return 0;
  switch (sink.type) {
    case 'counter':
      return e.method === 'rate'
        ? durationS > 0
          ? (sink as CounterSink).sum / durationS
          : 0
        : (sink as CounterSink).sum;
    case 'gauge':
      return (sink as GaugeSink).value;
    case 'rate':
      return (sink as RateSink).rate;
    case 'trend': {
      const t = sink as TrendSink;
      if (e.method === 'avg') return t.mean;
      if (e.method === 'min') return t.min;
      if (e.method === 'max') return t.max;
      if (e.method === 'med') return t.percentile(50);
      if (e.method === 'count') return t.count;
      return t.percentile(e.percentile ?? 50);
    }
  }
}

export function evaluateThresholds(
  defs: readonly ThresholdDef[],
  metrics: MetricSet,
  durationS: number,
): ThresholdResult[] {
  return defs.map((def) => {
    const value = aggregate(metrics.aggregate(def.metric.name, def.metric.tags), def.expression, durationS);
    return { def, value, ok: compare(value, def.expression.operator, def.expression.value) };
  });
}

/** `{ "<metric>": { "<expr>": { ok, value } } }`, the perfloop/load@1 form. */
export function thresholdsJSON(
  results: readonly ThresholdResult[],
): Record<string, Record<string, { ok: boolean; value: number }>> {
  const out: Record<string, Record<string, { ok: boolean; value: number }>> = {};
  for (const r of results)
    (out[r.def.metric.key] ??= {})[r.def.expression.source] = {
      ok: r.ok,
      value: Math.round(r.value * 1000) / 1000,
    };
  return out;
}
