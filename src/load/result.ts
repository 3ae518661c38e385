import { Histogram } from '../core/histogram.js';
import type { MetricSet } from '../core/metric-set.js';
import type { CounterSink, GaugeSink, RateSink, TrendSink } from '../core/metric.js';
import type { EndpointSummary, IntervalRecord, LatencySummary } from '../core/run.js';
import type { ArrivalStats } from './executors/types.js';
import type { GeneratorHealth } from './runner.js';
import { thresholdsJSON, type ThresholdResult } from './thresholds/thresholds.js';

export const LOAD_SCHEMA = 'perfloop/load@1';

export function latencySummary(h: Histogram): LatencySummary {
  const s = h.summaryMs();
  return { p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, max: s.max, mean: s.mean, count: s.count };
}

/** A trend's summary: the contract's fields plus min and med (k6's summary columns). */
export function trendSummary(t: TrendSink) {
  // Latency trends are µs-resolution histograms; exact (custom) trends keep their values' own precision.
  const f = t.exact ? (x: number) => x : (x: number) => Math.round(x * 1000) / 1000;
  const p50 = f(t.percentile(50));
  return {
    p50,
    p90: f(t.percentile(90)),
    p95: f(t.percentile(95)),
    p99: f(t.percentile(99)),
    max: f(t.max),
    mean: f(t.mean),
    count: t.count,
    min: f(t.min),
    med: p50,
  };
}

/** What the spike and endurance presets measure beyond thresholds. */
export interface PresetReport {
  name: string;
  scale: number;
  criteria: { name: string; ok: boolean; detail: string }[];
  /** Seconds from the end of the spike until latency is back to the pre-spike level (null: not within the run). */
  recoveryTimeS?: number | null;
  /** Relative change of p95 from the first to the last tenth of an endurance run. */
  latencyDriftPct?: number | null;
}

export interface LoadResultExtras {
  thresholds?: ThresholdResult[];
  /** The thresholds as configured (`{ metric: [expr] }`), so `perfloop merge` can evaluate them over all parts. */
  thresholdsConfig?: Record<string, string[]>;
  arrivals?: ArrivalStats[];
  generator?: GeneratorHealth & { workers: number };
  warnings?: string[];
  /** The abortOnFail threshold that stopped the run. */
  abortedBy?: string | null;
  /** `i/n` when this run is one segment of a distributed test. */
  segment?: string | null;
  preset?: PresetReport | null;
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
    readonly extras: LoadResultExtras = {},
  ) {}

  latency(filter: Record<string, string> = {}): Histogram {
    return (
      (this.metrics.aggregate('http_req_duration', filter) as TrendSink | undefined)?.histogram ??
      new Histogram()
    );
  }

  /** Latency from the actual send, without coordinated-omission correction. */
  uncorrectedLatency(filter: Record<string, string> = {}): Histogram {
    return (
      (this.metrics.aggregate('http_req_duration_uncorrected', filter) as TrendSink | undefined)?.histogram ??
      new Histogram()
    );
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

  get thresholds(): readonly ThresholdResult[] {
    return this.extras.thresholds ?? [];
  }

  /** True when every threshold held (and there are any). */
  get thresholdsOk(): boolean {
    return this.thresholds.every((t) => t.ok) && (this.extras.preset?.criteria ?? []).every((c) => c.ok);
  }

  /** Target vs achieved iterations per second (target: arrival-rate scenarios only). */
  get rateInfo(): { target: number | null; achieved: number } {
    const arrivals = this.extras.arrivals ?? [];
    const r2 = (x: number) => Math.round(x * 100) / 100;
    if (arrivals.length === 0) {
      const it = (this.metrics.aggregate('iterations') as CounterSink | undefined)?.sum ?? 0;
      return { target: null, achieved: r2(this.durationS > 0 ? it / this.durationS : 0) };
    }
    let target = 0;
    let achieved = 0;
    for (const a of arrivals) {
      const s = a.durationMs / 1000;
      if (s <= 0) continue;
      target += a.scheduled / s;
      achieved += a.started / s;
    }
    return { target: r2(target), achieved: r2(achieved) };
  }

  endpoints(): EndpointSummary[] {
    // A script names its requests by their `name` tag (k6: the URL unless the script tags it).
    const names =
      this.requestNames.length > 0
        ? this.requestNames
        : [...new Set(this.metrics.seriesOf('http_req_duration').map((s) => s.tags.name).filter((n): n is string => !!n))];
    return names.map((name) => {
      const failed = this.metrics.aggregate('http_req_failed', { name }) as RateSink;
      return { name, ...latencySummary(this.latency({ name })), errors: failed.passes };
    });
  }

  /** Every check by name with its passes and fails. */
  checks(): { name: string; passes: number; fails: number }[] {
    const byName = new Map<string, { passes: number; fails: number }>();
    for (const s of this.metrics.seriesOf('checks')) {
      const name = s.tags.check ?? '';
      const e = byName.get(name) ?? { passes: 0, fails: 0 };
      const r = s.sink as RateSink;
      e.passes += r.passes;
      e.fails += r.total - r.passes;
      byName.set(name, e);
    }
    return [...byName].map(([name, e]) => ({ name, ...e }));
  }

  /** Summary of every metric by type (k6's aggregation methods). */
  metricSummaries(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    const d = this.durationS || 1;
    for (const name of this.metrics.names()) {
      const sink = this.metrics.aggregate(name)!;
      switch (sink.type) {
        case 'trend':
          out[name] = trendSummary(sink as TrendSink);
          break;
        case 'counter':
          out[name] = {
            count: (sink as CounterSink).sum,
            rate: Math.round(((sink as CounterSink).sum / d) * 1000) / 1000,
          };
          break;
        case 'rate': {
          const r = sink as RateSink;
          out[name] = { rate: r.rate, passes: r.passes, fails: r.total - r.passes };
          break;
        }
        case 'gauge': {
          const g = sink as GaugeSink;
          const n = (x: number) => (Number.isFinite(x) ? x : 0);
          out[name] = {
            value: name === 'vus_max' ? Math.max(0, n(g.max)) : n(g.value),
            min: n(g.min),
            max: n(g.max),
          };
          break;
        }
      }
    }
    // http_req_failed keeps `count` (failed requests), as perfloop/load@1 has always had it.
    if (out.http_req_failed) out.http_req_failed.count = out.http_req_failed.passes;
    return out;
  }

  /** The `perfloop/load@1` document (durations in ms). */
  toJSON() {
    const m = this.metricSummaries();
    return {
      schema: LOAD_SCHEMA,
      startedAt: this.startedAt.toISOString(),
      durationS: this.durationS,
      interrupted: this.interrupted,
      segment: this.extras.segment ?? null,
      metrics: {
        ...m,
        http_req_duration: latencySummary(this.latency()),
        http_req_duration_uncorrected: latencySummary(this.uncorrectedLatency()),
        http_reqs: { count: this.requests, rate: this.rate },
        http_req_failed: { rate: this.failed.rate, count: this.failed.passes },
        iterations: m.iterations as { count: number; rate: number },
        dropped_iterations: { count: m.dropped_iterations?.count ?? 0 },
        data_sent: { count: m.data_sent?.count ?? 0 },
        data_received: { count: m.data_received?.count ?? 0 },
        vus_max: { value: m.vus_max?.value ?? 0 },
      },
      thresholds: thresholdsJSON(this.thresholds),
      thresholdsConfig: this.extras.thresholdsConfig ?? {},
      abortedBy: this.extras.abortedBy ?? null,
      checks: this.checks(),
      histograms: {
        http_req_duration: this.latency().encode(),
        http_req_duration_uncorrected: this.uncorrectedLatency().encode(),
      },
      rate: this.rateInfo,
      arrivals: this.extras.arrivals ?? [],
      generator: this.extras.generator ?? null,
      warnings: this.extras.warnings ?? [],
      preset: this.extras.preset ?? null,
      endpoints: this.endpoints(),
      intervals: this.intervals,
      metricSet: this.metrics.toJSON(),
    };
  }
}

export type LoadResultJSON = ReturnType<LoadResult['toJSON']>;
