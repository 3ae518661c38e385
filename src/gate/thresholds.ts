import type { RunRecord } from '../core/run.js';
import {
  compare,
  methodLabel,
  parseThresholdExpression,
  type ThresholdExpression,
} from '../load/thresholds/expression.js';
import { parseMetricRef } from '../load/thresholds/metric-ref.js';
import { latencyUnits } from './compare/units.js';
import { mergeDistributions, quantile } from './stats/distribution.js';

/**
 * k6 threshold expressions (`p(95)<200`, `rate<0.01`, `count>1000`; parsed by the load engine's k6 parser)
 * judged on a stored run instead of a live metric set: the whole run's latency histogram answers any
 * percentile; a sub-metric `{name:X}` is answered from endpoint X's summary (p50/p90/p95/p99/max/avg).
 */
export interface ThresholdCheck {
  metric: string;
  expression: string;
  /** The value judged (ms for durations); null when the run cannot answer it. */
  actual: number | null;
  pass: boolean;
  note?: string;
}

const ENDPOINT_PERCENTILES: Record<number, 'p50' | 'p90' | 'p95' | 'p99' | 'max'> = {
  50: 'p50',
  90: 'p90',
  95: 'p95',
  99: 'p99',
  100: 'max',
};

function wholeRun(r: RunRecord, metric: string, e: ThresholdExpression): number | null {
  const m = r.metrics;
  if (metric === 'http_req_failed') return m.http_req_failed.rate;
  if (metric === 'http_reqs') return e.method === 'count' ? m.http_reqs.count : m.http_reqs.rate;
  switch (e.method) {
    case 'avg':
      return m.http_req_duration.mean;
    case 'max':
      return m.http_req_duration.max;
    default: {
      const d = mergeDistributions(latencyUnits([r], 'interval').dists);
      if (d.total === 0) return null;
      return e.method === 'min' ? d.values[0] : quantile(d, e.method === 'med' ? 50 : (e.percentile ?? 50));
    }
  }
}

function oneEndpoint(
  r: RunRecord,
  metric: string,
  name: string,
  e: ThresholdExpression,
): number | null | string {
  const ep = r.endpoints.find((x) => x.name === name);
  if (!ep) return `no endpoint named ${JSON.stringify(name)} in this run`;
  if (metric === 'http_req_failed') return ep.count > 0 ? ep.errors / ep.count : 0;
  if (metric === 'http_reqs')
    return e.method === 'count' ? ep.count : r.run.durationS > 0 ? ep.count / r.run.durationS : 0;
  if (e.method === 'avg') return ep.mean;
  if (e.method === 'max') return ep.max;
  if (e.method === 'med') return ep.p50;
  const field = e.method === 'p' ? ENDPOINT_PERCENTILES[e.percentile ?? -1] : undefined;
  return field
    ? ep[field]
    : `${methodLabel(e)} of one endpoint is not kept in a run record (p(50), p(90), p(95), p(99), med, avg, max are)`;
}

export function checkThresholds(
  r: RunRecord,
  thresholds: Record<string, readonly string[]>,
): ThresholdCheck[] {
  const out: ThresholdCheck[] = [];
  for (const [key, expressions] of Object.entries(thresholds)) {
    const ref = parseMetricRef(key);
    const tagKeys = Object.keys(ref.tags);
    for (const source of expressions) {
      const e = parseThresholdExpression(source);
      let actual: number | null | string;
      if (tagKeys.length === 0) actual = wholeRun(r, ref.name, e);
      else if (tagKeys.length === 1 && tagKeys[0] === 'name')
        actual = oneEndpoint(r, ref.name, ref.tags.name, e);
      else actual = 'only the name tag can be judged on a stored run';
      if (typeof actual === 'string' || actual === null) {
        out.push({
          metric: key,
          expression: source,
          actual: null,
          pass: false,
          note: typeof actual === 'string' ? actual : 'not measured in this run',
        });
      } else {
        out.push({ metric: key, expression: source, actual, pass: compare(actual, e.operator, e.value) });
      }
    }
  }
  return out;
}
