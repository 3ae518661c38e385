import { HISTOGRAM_MAX_US, type Histogram } from '../core/histogram.js';

/**
 * A front for core/histogram.ts on the hot path. hdr-histogram-js finds a value's bucket with floating-point
 * log2/pow (≈150 ns a record, and a request records several latencies); here the same bucket is found with
 * 32-bit integer ops and counted in a typed array, and `flush()` adds each non-empty bucket to the histogram
 * with its count. The buckets are HdrHistogram's for that configuration (1 µs unit, 3 significant digits:
 * 2048 sub-buckets, half-count magnitude 10), so the histogram ends up exactly as if every value had been
 * recorded one by one. Values from 2^27 µs (134 s) up go straight to the histogram.
 */
const HALF_MAG = 10;
const SUB_BUCKETS = 2048;
const LIMIT_US = 2 ** 27;
const SLOTS = (27 - HALF_MAG + 1) << HALF_MAG; // 18,432 buckets cover 1 µs … 2^27 µs

export class BucketAccumulator {
  private readonly counts = new Uint32Array(SLOTS);
  private readonly touched = new Uint16Array(SLOTS);
  private nTouched = 0;

  constructor(readonly target: Histogram) {}

  /** Same rounding and clamping as Histogram.recordMs. */
  recordMs(ms: number): void {
    let us = Math.round(ms * 1000);
    if (us < 1) us = 1;
    if (us >= LIMIT_US) {
      this.target.record(Math.min(us, HISTOGRAM_MAX_US));
      return;
    }
    let i = us;
    if (us >= SUB_BUCKETS) {
      const bucket = 31 - Math.clz32(us) - HALF_MAG;
      i = ((bucket + 1) << HALF_MAG) + (us >>> bucket) - (SUB_BUCKETS >> 1);
    }
    if (this.counts[i]++ === 0) this.touched[this.nTouched++] = i;
  }

  /** Adds what was counted to the histogram and starts over. */
  flush(): void {
    for (let k = 0; k < this.nTouched; k++) {
      const i = this.touched[k];
      const count = this.counts[i];
      this.counts[i] = 0;
      const value =
        i < SUB_BUCKETS ? i : ((i & ((SUB_BUCKETS >> 1) - 1)) + (SUB_BUCKETS >> 1)) << ((i >> HALF_MAG) - 1);
      this.target.recordCount(value, count);
    }
    this.nTouched = 0;
  }
}
