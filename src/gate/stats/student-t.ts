import { normalQuantile } from './normal.js';

/**
 * Student's t: the confidence interval of a mean from a handful of runs (a job run 5 times, not a load of
 * thousands of requests). t rather than the bootstrap because with 3–10 runs a bootstrap interval is little more
 * than the sample's range and does not narrow reliably as runs are added; the t interval does (its width falls as
 * t(n−1)·s/√n) and is honest about how little 3 runs say.
 */

/**
 * The p-quantile of Student's t with `df` degrees of freedom: exact closed forms for df 1 and 2, the
 * Cornish–Fisher expansion around the normal quantile otherwise (Abramowitz & Stegun 26.7.5; error < 0.1 % at
 * df = 3 for the 95–99 % quantiles, smaller as df grows).
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(df >= 1)) return NaN;
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z2 + 1) * z / 4;
  const g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
  const g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
  const g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

export interface MeanInterval {
  mean: number;
  /** [low, high] at `confidence`; null with fewer than 2 values. */
  ci: [number, number] | null;
  /** Sample standard deviation (n − 1). */
  sd: number;
  n: number;
}

/** The mean of `values` with its two-sided t confidence interval. */
export function meanConfidenceInterval(values: readonly number[], confidence = 0.95): MeanInterval {
  const n = values.length;
  if (n === 0) return { mean: NaN, ci: null, sd: NaN, n };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, ci: null, sd: NaN, n };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = (studentTQuantile(1 - (1 - confidence) / 2, n - 1) * sd) / Math.sqrt(n);
  return { mean, ci: [mean - half, mean + half], sd, n };
}
