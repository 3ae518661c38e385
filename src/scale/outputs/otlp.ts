// OTLP/HTTP, JSON encoding: https://opentelemetry.io/docs/specs/otlp/#otlphttp (POST to …/v1/metrics) and the
// metrics data model https://opentelemetry.io/docs/specs/otel/metrics/data-model/. JSON rather than protobuf:
// every collector accepts it, and it needs neither generated code nor a protobuf runtime.
import type { Series } from './series.js';
import { trendStat } from './series.js';

const QUANTILES = [0.5, 0.9, 0.95, 0.99];
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;
const attributes = (tags: Readonly<Record<string, string>>) =>
  Object.entries(tags).map(([key, v]) => ({ key, value: { stringValue: v } }));

/**
 * One OTLP ExportMetricsServiceRequest with every series, cumulative since `startMs`: counters as monotonic
 * cumulative sums, gauges as gauges, rates as gauges of the ratio (0…1), trends as summaries (count, sum and the
 * p50/p90/p95/p99 quantiles — exact percentiles, which explicit-bucket histograms could only approximate), in the
 * metric's own unit (ms for time). Names are `<prefix><metric>` (k6's OpenTelemetry output uses "k6.").
 */
export function otlpMetricsRequest(series: readonly Series[], o: { startMs: number; nowMs: number; prefix: string }) {
  const byName = new Map<string, Series[]>();
  for (const s of series) byName.set(s.metric, [...(byName.get(s.metric) ?? []), s]);
  const point = (s: Series) => ({
    attributes: attributes(s.tags),
    startTimeUnixNano: nanos(o.startMs),
    timeUnixNano: nanos(o.nowMs),
  });
  const metrics = [...byName].map(([metric, all]) => {
    const def = all[0].def;
    const name = `${o.prefix}${metric}`;
    const unit = def.contains === 'time' ? 'ms' : def.contains === 'data' ? 'By' : '1';
    switch (def.type) {
      case 'counter':
        return { name, unit, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: all.map((s) => ({ ...point(s), asDouble: s.value })) } };
      case 'gauge':
        return { name, unit, gauge: { dataPoints: all.map((s) => ({ ...point(s), asDouble: s.value })) } };
      case 'rate':
        return { name, unit: '1', gauge: { dataPoints: all.map((s) => ({ ...point(s), asDouble: s.count > 0 ? s.value / s.count : 0 })) } };
      default:
        return {
          name,
          unit,
          summary: {
            dataPoints: all.map((s) => ({
              ...point(s),
              count: String(s.count),
              sum: s.value,
              quantileValues: [
                { quantile: 0, value: s.min },
                ...QUANTILES.map((q) => ({ quantile: q, value: trendStat(s, `p(${q * 100})`)! })),
                { quantile: 1, value: s.max },
              ],
            })),
          },
        };
    }
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes: attributes({ 'service.name': 'perfloop' }) },
        scopeMetrics: [{ scope: { name: 'perfloop' }, metrics }],
      },
    ],
  };
}
