import { Histogram } from '../core/histogram.js';
import type { MetricSet } from '../core/metric-set.js';
import type { CounterSink, GaugeSink, RateSink, TrendSink } from '../core/metric.js';
import type { EndpointSummary, IntervalRecord, LatencySummary } from '../core/run.js';

export const LOAD_SCHEMA = 'perfloop/load@1';

export function latencySummary(h: Histogram): LatencySummary {
  const s = h.summaryMs();
  return { p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, max: s.max, mean: s.mean, count: s.count };
}

/** What one load run measured. */
export class LoadResult {
  constructor(
    readonly startedAt: Date,
    readonly durationS: number,
    readonly metrics: MetricSet,
    readonly intervals: IntervalRecord[],
    readonly requestNames: readonly string[],
    readonly interrupted: boolean,
  ) {}

  latency(filter: Record<string, string> = {}): Histogram {
    return (this.metrics.aggregate('http_req_duration', filter) as TrendSink | undefined)?.histogram ?? new Histogram();
  }

  get requests(): number {
    return (this.metrics.aggregate('http_reqs') as CounterSink).sum;
  }

  get failed(): RateSink {
    return this.metrics.aggregate('http_req_failed') as RateSink;
  }

  get rate(): number {
    return this.durationS > 0 ? this.requests / this.durationS : 0;
  }

  endpoints(): EndpointSummary[] {
    return this.requestNames.map((name) => {
      const failed = this.metrics.aggregate('http_req_failed', { name }) as RateSink;
      return { name, ...latencySummary(this.latency({ name })), errors: failed.passes };
    });
  }

  /** The `perfloop/load@1` document (durations in ms). */
  toJSON() {
    const counter = (n: string) => (this.metrics.aggregate(n) as CounterSink | undefined)?.sum ?? 0;
    const gauge = (n: string) => (this.metrics.aggregate(n) as GaugeSink | undefined)?.max ?? 0;
    const trend = (n: string) => latencySummary((this.metrics.aggregate(n) as TrendSink).histogram);
    return {
      schema: LOAD_SCHEMA,
      startedAt: this.startedAt.toISOString(),
      durationS: this.durationS,
      interrupted: this.interrupted,
      metrics: {
        http_req_duration: latencySummary(this.latency()),
        http_req_connecting: trend('http_req_connecting'),
        http_req_waiting: trend('http_req_waiting'),
        http_req_receiving: trend('http_req_receiving'),
        http_reqs: { count: this.requests, rate: this.rate },
        http_req_failed: { rate: this.failed.rate, count: this.failed.passes },
        iterations: { count: counter('iterations'), rate: counter('iterations') / (this.durationS || 1) },
        iteration_duration: trend('iteration_duration'),
        dropped_iterations: { count: counter('dropped_iterations') },
        data_sent: { count: counter('data_sent') },
        data_received: { count: counter('data_received') },
        vus_max: { value: Math.max(0, gauge('vus_max')) },
      },
      endpoints: this.endpoints(),
      histograms: { http_req_duration: this.latency().encode() },
      intervals: this.intervals,
      metricSet: this.metrics.toJSON(),
    };
  }
}
