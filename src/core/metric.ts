import { Histogram } from './histogram.js';
import { TrendValues, type TrendValuesJSON } from './trend-values.js';

/**
 * Metrics in k6's vocabulary: a counter sums, a gauge keeps the last value (and min/max), a rate is the share of
 * non-zero values, a trend keeps the distribution (an HDR histogram, so it merges exactly across workers).
 * A metric has series, one per distinct tag set; the untagged total is the merge of all series.
 */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
export type MetricContains = 'time' | 'data' | 'default';
export type Tags = Readonly<Record<string, string>>;

export interface MetricDef {
  name: string;
  type: MetricType;
  contains: MetricContains;
  /** Trends only: keep values exactly (custom metrics) instead of in a µs HDR histogram (built-in http_req_*). */
  exact?: boolean;
}

export class CounterSink {
  readonly type = 'counter' as const;
  sum = 0;
  add(v: number): void {
    this.sum += v;
  }
  merge(o: CounterSink): void {
    this.sum += o.sum;
  }
  toJSON() {
    return { type: this.type, sum: this.sum };
  }
}

export class GaugeSink {
  readonly type = 'gauge' as const;
  value = 0;
  min = Infinity;
  max = -Infinity;
  /** Time of the last `add`, so merges keep the newest value. */
  at = 0;
  add(v: number, at = Date.now()): void {
    this.value = v;
    this.at = at;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
  merge(o: GaugeSink): void {
    if (o.at >= this.at) {
      this.value = o.value;
      this.at = o.at;
    }
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
  }
  toJSON() {
    return { type: this.type, value: this.value, min: this.min, max: this.max, at: this.at };
  }
}

export class RateSink {
  readonly type = 'rate' as const;
  passes = 0;
  total = 0;
  add(v: number | boolean): void {
    this.total++;
    if (v) this.passes++;
  }
  get rate(): number {
    return this.total === 0 ? 0 : this.passes / this.total;
  }
  merge(o: RateSink): void {
    this.passes += o.passes;
    this.total += o.total;
  }
  toJSON() {
    return { type: this.type, passes: this.passes, total: this.total };
  }
}

/**
 * A distribution. Built-in latency trends record into a µs HDR histogram (fixed memory, exact merges);
 * exact trends (custom metrics) keep their values as given (trend-values.ts). Read it through the accessors
 * (`percentile`, `min`, …: milliseconds, or the metric's own unit), which never leave [min, max].
 */
export class TrendSink {
  readonly type = 'trend' as const;
  readonly histogram = new Histogram();
  readonly exact: TrendValues | null;
  constructor(exact = false) {
    this.exact = exact ? new TrendValues() : null;
  }
  add(v: number): void {
    if (this.exact) this.exact.add(v);
    else this.histogram.recordMs(v);
  }
  merge(o: TrendSink): void {
    if (this.exact && o.exact) this.exact.merge(o.exact);
    else if (this.exact) this.exact.merge(valuesOf(o));
    else this.histogram.merge(o.histogram);
  }
  get count(): number {
    return this.exact ? this.exact.count : this.histogram.count;
  }
  get min(): number {
    return this.exact ? this.exact.min : this.count === 0 ? 0 : this.histogram.minUs / 1000;
  }
  get max(): number {
    return this.exact ? this.exact.max : this.count === 0 ? 0 : this.histogram.maxUs / 1000;
  }
  get mean(): number {
    if (this.exact) return this.exact.mean;
    return this.count === 0 ? 0 : Math.min(this.max, Math.max(this.min, this.histogram.meanUs / 1000));
  }
  get stddev(): number {
    return this.exact ? this.exact.stddev() : this.histogram.stddevUs / 1000;
  }
  /** `p` in 0–100; k6's interpolated definition for exact trends; never outside [min, max]. */
  percentile(p: number): number {
    if (this.exact) return this.exact.percentile(p);
    if (this.count === 0) return 0;
    return Math.min(this.max, Math.max(this.min, this.histogram.percentile(p) / 1000));
  }
  toJSON(): { type: 'trend'; histogram: string; exact?: TrendValuesJSON } {
    return this.exact
      ? { type: this.type, histogram: '', exact: this.exact.toJSON() }
      : { type: this.type, histogram: this.histogram.encode() };
  }
}

/**
 * An HDR trend merged into an exact one (only when result files of different versions meet): its shape
 * stands in for the samples, as up to 10,000 evenly spaced quantiles.
 */
function valuesOf(o: TrendSink): TrendValues {
  if (o.exact) return o.exact;
  const t = new TrendValues();
  const k = Math.min(o.histogram.count, 10_000);
  for (let i = 0; i < k; i++) t.add(o.histogram.percentile(((i + 0.5) / k) * 100) / 1000);
  return t;
}

export type Sink = CounterSink | GaugeSink | RateSink | TrendSink;
export type SinkJSON = ReturnType<Sink['toJSON']>;

export function newSink(type: MetricType, exact = false): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink();
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink(exact);
  }
}

export function sinkFromJSON(json: SinkJSON): Sink {
  switch (json.type) {
    case 'counter':
      return Object.assign(new CounterSink(), { sum: json.sum });
    case 'gauge':
      return Object.assign(new GaugeSink(), {
        value: json.value,
        min: json.min ?? Infinity,
        max: json.max ?? -Infinity,
        at: json.at,
      });
    case 'rate':
      return Object.assign(new RateSink(), { passes: json.passes, total: json.total });
    case 'trend': {
      if (json.exact) {
        const sink = new TrendSink(true);
        sink.exact!.merge(TrendValues.fromJSON(json.exact));
        return sink;
      }
      const sink = new TrendSink();
      sink.histogram.merge(Histogram.decode(json.histogram));
      return sink;
    }
  }
}

/** Canonical key of a tag set: sorted `k=v` pairs, so equal tag sets share one series. */
export function tagsKey(tags: Tags): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(',');
}
