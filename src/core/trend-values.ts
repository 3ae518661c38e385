/**
 * The values of a custom Trend, kept exactly as given — negative, zero, fractional, huge — with k6's
 * percentile definition (k6 metrics/sink.go TrendSink.P: linear interpolation between the closest ranks,
 * `i = p·(n−1)`, value = v[⌊i⌋] + (v[⌈i⌉] − v[⌊i⌋])·(i − ⌊i⌋)). So `[1,2,3,4]` gives med 2.5 and p(90) 3.7, and a
 * percentile can never leave [min, max].
 *
 * Memory stays bounded on long runs: up to EXACT_LIMIT values are kept exactly (8 bytes each); past that the
 * values move into a DDSketch-style log-bucket sketch (Masson et al., VLDB 2019) with relative accuracy
 * SKETCH_ALPHA: every percentile is then within ±0.5 % of the true value, for values of any sign and
 * magnitude. Chosen over an HDR histogram because HDR needs a value range fixed in advance and cannot hold
 * negative values; count, sum (avg), min and max stay exact in both modes.
 */
export const EXACT_LIMIT = 200_000;
export const SKETCH_ALPHA = 0.005;
const GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
const LOG_GAMMA = Math.log(GAMMA);
/** Values closer to 0 than this share the sketch's zero bucket. */
const ZERO = 1e-12;

export interface TrendValuesJSON {
  count: number;
  sum: number;
  min: number;
  max: number;
  values?: number[];
  sketch?: { pos: [number, number][]; neg: [number, number][]; zero: number };
}

class LogSketch {
  readonly pos = new Map<number, number>();
  readonly neg = new Map<number, number>();
  zero = 0;

  add(v: number, n = 1): void {
    const a = Math.abs(v);
    if (a < ZERO) this.zero += n;
    else {
      const k = Math.ceil(Math.log(a) / LOG_GAMMA);
      const m = v > 0 ? this.pos : this.neg;
      m.set(k, (m.get(k) ?? 0) + n);
    }
  }

  merge(o: LogSketch): void {
    for (const [k, n] of o.pos) this.pos.set(k, (this.pos.get(k) ?? 0) + n);
    for (const [k, n] of o.neg) this.neg.set(k, (this.neg.get(k) ?? 0) + n);
    this.zero += o.zero;
  }

  /** The value of rank `rank` (0-based) in sorted order. */
  at(rank: number): number {
    const value = (k: number) => (2 * GAMMA ** k) / (GAMMA + 1);
    let seen = 0;
    for (const k of [...this.neg.keys()].sort((a, b) => b - a)) {
      seen += this.neg.get(k)!;
      if (rank < seen) return -value(k);
    }
    seen += this.zero;
    if (rank < seen) return 0;
    let last = 0;
    for (const k of [...this.pos.keys()].sort((a, b) => a - b)) {
      seen += this.pos.get(k)!;
      last = value(k);
      if (rank < seen) return last;
    }
    return last;
  }
}

export class TrendValues {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private values: Float64Array | null = new Float64Array(16);
  private sorted = true;
  private sketch: LogSketch | null = null;

  add(v: number): void {
    if (Number.isNaN(v)) return;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.values) {
      const n = this.count - 1;
      if (n === this.values.length) {
        if (n >= EXACT_LIMIT) {
          this.toSketch(n);
          this.sketch!.add(v);
          return;
        }
        const grown = new Float64Array(Math.min(EXACT_LIMIT, n * 2));
        grown.set(this.values);
        this.values = grown;
      }
      this.values[n] = v;
      this.sorted = false;
    } else this.sketch!.add(v);
  }

  /** Values are exact (false once the sketch took over). */
  get exact(): boolean {
    return this.values !== null;
  }

  /** Moves the first `n` exact values into a sketch. */
  private toSketch(n: number): void {
    const s = new LogSketch();
    for (let i = 0; i < n; i++) s.add(this.values![i]);
    this.values = null;
    this.sketch = s;
  }

  get mean(): number {
    return this.count === 0 ? 0 : Math.min(this.max, Math.max(this.min, this.sum / this.count));
  }

  /** k6's percentile, `p` in 0–100. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const q = Math.min(1, Math.max(0, p / 100));
    const i = q * (this.count - 1);
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    let a: number;
    let b: number;
    if (this.values) {
      const v = this.values.subarray(0, this.count);
      if (!this.sorted) {
        v.sort();
        this.sorted = true;
      }
      a = v[lo];
      b = v[hi];
    } else {
      a = this.sketch!.at(lo);
      b = hi === lo ? a : this.sketch!.at(hi);
    }
    const x = a + (b - a) * (i - lo);
    return Math.min(this.max, Math.max(this.min, x));
  }

  stddev(): number {
    if (this.count < 2 || !this.values) return 0;
    const m = this.sum / this.count;
    let s = 0;
    for (let i = 0; i < this.count; i++) s += (this.values[i] - m) ** 2;
    return Math.sqrt(s / this.count);
  }

  merge(o: TrendValues): void {
    if (o.count === 0) return;
    if (this.values && o.values && this.count + o.count <= EXACT_LIMIT) {
      const need = this.count + o.count;
      if (need > this.values.length) {
        const grown = new Float64Array(Math.max(need, Math.min(EXACT_LIMIT, this.values.length * 2)));
        grown.set(this.values.subarray(0, this.count));
        this.values = grown;
      }
      this.values.set(o.values.subarray(0, o.count), this.count);
      this.sorted = false;
    } else {
      if (this.values) this.toSketch(this.count);
      if (o.values) for (let i = 0; i < o.count; i++) this.sketch!.add(o.values[i]);
      else this.sketch!.merge(o.sketch!);
    }
    this.count += o.count;
    this.sum += o.sum;
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
  }

  toJSON(): TrendValuesJSON {
    const base = { count: this.count, sum: this.sum, min: this.min, max: this.max };
    if (this.values) return { ...base, values: Array.from(this.values.subarray(0, this.count)) };
    const s = this.sketch!;
    return { ...base, sketch: { pos: [...s.pos], neg: [...s.neg], zero: s.zero } };
  }

  static fromJSON(j: TrendValuesJSON): TrendValues {
    const t = new TrendValues();
    if (j.values) for (const v of j.values) t.add(v);
    else if (j.sketch) {
      t.values = null;
      t.sketch = new LogSketch();
      for (const [k, n] of j.sketch.pos) t.sketch.pos.set(k, n);
      for (const [k, n] of j.sketch.neg) t.sketch.neg.set(k, n);
      t.sketch.zero = j.sketch.zero;
      Object.assign(t, { count: j.count, sum: j.sum, min: j.min ?? Infinity, max: j.max ?? -Infinity });
    }
    return t;
  }
}
