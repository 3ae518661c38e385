import * as hdr from 'hdr-histogram-js';

/**
 * Latency histogram: HdrHistogram at microsecond resolution with 3 significant digits, so memory is fixed
 * (tens of KB) however many values are recorded, and merging histograms from workers, processes or machines
 * is exact — percentiles are never averaged. Backed by hdr-histogram-js, whose compressed-base64 encoding is
 * the standard HdrHistogram V2 form that the Java/Go/C HdrHistogram tools read.
 */
export interface HistogramSummaryMs {
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

/** One hour in µs: anything slower is clamped (a request that slow is a timeout, not a latency). */
export const HISTOGRAM_MAX_US = 3_600_000_000;

const build = () =>
  hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HISTOGRAM_MAX_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });

const clampUs = (us: number) => Math.min(HISTOGRAM_MAX_US, Math.max(1, Math.round(us)));

export class Histogram {
  private readonly h: hdr.Histogram;

  constructor(inner?: hdr.Histogram) {
    this.h = inner ?? build();
  }

  /** Record one value in microseconds (values < 1 µs count as 1 µs). */
  record(us: number): void {
    this.h.recordValue(clampUs(us));
  }

  recordMs(ms: number): void {
    this.record(ms * 1000);
  }

  recordCount(us: number, count: number): void {
    this.h.recordValueWithCount(clampUs(us), count);
  }

  /**
   * Record a value measured by a closed-loop sender that waited for it: also record the requests that were
   * *not* sent while it waited (expectedIntervalUs apart), as HdrHistogram's coordinated-omission correction does.
   */
  recordCorrected(us: number, expectedIntervalUs: number): void {
    this.h.recordValueWithExpectedInterval(clampUs(us), Math.max(0, Math.round(expectedIntervalUs)));
  }

  /** Add every value of `other` into this histogram (exact). */
  merge(other: Histogram): this {
    this.h.add(other.h);
    return this;
  }

  reset(): void {
    this.h.reset();
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** Value at percentile p (0–100) in µs; 0 when empty. */
  percentile(p: number): number {
    return this.count === 0 ? 0 : this.h.getValueAtPercentile(p);
  }

  get minUs(): number {
    return this.count === 0 ? 0 : this.h.minNonZeroValue;
  }

  get maxUs(): number {
    return this.count === 0 ? 0 : this.h.maxValue;
  }

  get meanUs(): number {
    return this.count === 0 ? 0 : this.h.mean;
  }

  get stddevUs(): number {
    return this.count === 0 ? 0 : this.h.stdDeviation;
  }

  /** Standard HdrHistogram compressed base64 (V2 encoding + deflate). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.h);
  }

  static decode(base64: string): Histogram {
    const decoded = hdr.decodeFromCompressedBase64(base64, 32, false);
    // Copy into our canonical configuration so every histogram merges with every other.
    const h = new Histogram();
    h.h.add(decoded);
    decoded.destroy();
    return h;
  }

  clone(): Histogram {
    return new Histogram().merge(this);
  }

  static mergeAll(histograms: Iterable<Histogram>): Histogram {
    const out = new Histogram();
    for (const h of histograms) out.merge(h);
    return out;
  }

  /** Percentiles and moments in milliseconds, rounded to µs. */
  summaryMs(): HistogramSummaryMs {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: this.count,
      min: ms(this.minUs),
      max: ms(this.maxUs),
      mean: ms(this.meanUs),
      stddev: ms(this.stddevUs),
      p50: ms(this.percentile(50)),
      p90: ms(this.percentile(90)),
      p95: ms(this.percentile(95)),
      p99: ms(this.percentile(99)),
      p999: ms(this.percentile(99.9)),
    };
  }
}
