import type { CounterSink, GaugeSink, RateSink, TrendSink } from '../../core/metric.js';
import type { LoadResult } from '../result.js';
import { groupTree, keyedGroup } from './group-tree.js';

const r = (x: number) => Math.round(x * 1000) / 1000;

/**
 * k6's `--summary-export` document (the legacy end-of-test JSON): per metric avg/min/med/max/p(90)/p(95) for
 * trends, count/rate for counters, passes/fails/value for rates, value/min/max for gauges, and
 * `thresholds: { expr: crossed }` — as in k6, `true` means the threshold FAILED (k6 keeps that inverted
 * boolean for compatibility; perfloop's own JSON says `ok`). Sub-metrics named in thresholds get their own key. `root_group` holds groups and checks as objects keyed by
 * name, checks inside their own groups, with k6's ids (group-tree.ts).
 */
export function summaryExport(result: LoadResult) {
  const m = result.metrics;
  const d = result.durationS || 1;
  const metrics: Record<string, Record<string, unknown>> = {};
  const describe = (name: string, filter: Record<string, string>) => {
    const sink = m.aggregate(name, filter);
    if (!sink) return undefined;
    switch (sink.type) {
      case 'trend': {
        const t = sink as TrendSink;
        return {
          avg: r(t.mean),
          min: r(t.min),
          med: r(t.percentile(50)),
          max: r(t.max),
          'p(90)': r(t.percentile(90)),
          'p(95)': r(t.percentile(95)),
          'p(99)': r(t.percentile(99)),
        };
      }
      case 'counter':
        return { count: (sink as CounterSink).sum, rate: r((sink as CounterSink).sum / d) };
      case 'rate': {
        const s = sink as RateSink;
        return { passes: s.passes, fails: s.total - s.passes, value: s.rate };
      }
      case 'gauge': {
        const g = sink as GaugeSink;
        const f = (x: number) => (Number.isFinite(x) ? x : 0);
        return { value: f(g.value), min: f(g.min), max: f(g.max) };
      }
    }
  };
  for (const name of m.names()) {
    if (m.seriesOf(name).length === 0 && !result.thresholds.some((t) => t.def.metric.name === name)) continue;
    metrics[name] = describe(name, {})!;
  }
  for (const t of result.thresholds) {
    const key = t.def.metric.key;
    metrics[key] ??= describe(t.def.metric.name, t.def.metric.tags) ?? {};
    ((metrics[key].thresholds ??= {}) as Record<string, boolean>)[t.def.expression.source] = !t.ok;
  }
  return { root_group: keyedGroup(groupTree(m)), metrics };
}
