import * as hdr from 'hdr-histogram-js';

/**
 * A latency distribution as sorted distinct values (ms) with their counts: what one unit (a one-second
 * interval, or a whole run) contributes to the statistics. Built from the HdrHistogram each interval carries.
 */
export interface Distribution {
  values: Float64Array;
  counts: Float64Array;
  total: number;
}

export const EMPTY_DISTRIBUTION: Distribution = {
  values: new Float64Array(0),
  counts: new Float64Array(0),
  total: 0,
};

export function distributionFromValues(values: readonly number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  const v = new Float64Array(sorted.length);
  const c = new Float64Array(sorted.length);
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (n > 0 && v[n - 1] === sorted[i]) c[n - 1]++;
    else {
      v[n] = sorted[i];
      c[n++] = 1;
    }
  }
  return { values: v.slice(0, n), counts: c.slice(0, n), total: sorted.length };
}

/**
 * The buckets of an HdrHistogram (compressed base64, µs), each at its highest equivalent value — the value
 * HdrHistogram reports for a percentile — so a percentile of the distribution equals the histogram's.
 */
export function distributionFromHistogram(base64: string): Distribution {
  const h = hdr.decodeFromCompressedBase64(base64, 32, false) as unknown as {
    countsArrayLength: number;
    totalCount: number;
    getCountAtIndex(i: number): number;
    valueFromIndex(i: number): number;
    highestEquivalentValue(v: number): number;
    destroy(): void;
  };
  const v: number[] = [];
  const c: number[] = [];
  try {
    if (h.totalCount > 0) {
      for (let i = 0; i < h.countsArrayLength; i++) {
        const n = h.getCountAtIndex(i);
        if (n > 0) {
          v.push(h.highestEquivalentValue(h.valueFromIndex(i)) / 1000);
          c.push(n);
        }
      }
    }
  } finally {
    h.destroy();
  }
  return { values: Float64Array.from(v), counts: Float64Array.from(c), total: c.reduce((a, b) => a + b, 0) };
}

/** Merge several distributions (exact). */
export function mergeDistributions(parts: readonly Distribution[]): Distribution {
  const map = new Map<number, number>();
  for (const d of parts)
    for (let i = 0; i < d.values.length; i++) map.set(d.values[i], (map.get(d.values[i]) ?? 0) + d.counts[i]);
  const v = [...map.keys()].sort((a, b) => a - b);
  const counts = Float64Array.from(v.map((x) => map.get(x)!));
  return { values: Float64Array.from(v), counts, total: counts.reduce((a, b) => a + b, 0) };
}

/** Value at percentile p (0–100) with HdrHistogram's rule: the smallest value whose cumulative count reaches ⌈p·N⌉. */
export function quantile(d: Distribution, p: number): number {
  if (d.total === 0) return NaN;
  const target = Math.max(1, Math.ceil((Math.min(p, 100) / 100) * d.total - 1e-9));
  let cum = 0;
  for (let i = 0; i < d.values.length; i++) {
    cum += d.counts[i];
    if (cum >= target) return d.values[i];
  }
  return d.values[d.values.length - 1];
}

export function mean(d: Distribution): number {
  let s = 0;
  for (let i = 0; i < d.values.length; i++) s += d.values[i] * d.counts[i];
  return d.total === 0 ? NaN : s / d.total;
}
