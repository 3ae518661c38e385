import { Histogram } from './histogram.js';

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

/** Trend values are recorded with µs resolution when they are milliseconds (time), or ×1000 otherwise. */
export class TrendSink {
  readonly type = 'trend' as const;
  readonly histogram = new Histogram();
  add(v: number): void {
    this.histogram.recordMs(v);
  }
  merge(o: TrendSink): void {
    this.histogram.merge(o.histogram);
  }
  toJSON() {
    return { type: this.type, histogram: this.histogram.encode() };
  }
}

export type Sink = CounterSink | GaugeSink | RateSink | TrendSink;
export type SinkJSON = ReturnType<Sink['toJSON']>;

export function newSink(type: MetricType): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink();
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink();
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
