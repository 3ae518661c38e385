/**
 * Theil–Sen slope: the median of pairwise slopes — robust to GC sawtooth and outliers where least squares is
 * not. The confidence interval is Sen's (1968) rank-based one: with N pairwise slopes and Kendall's S variance
 * n(n-1)(2n+5)/18, the bounds are the slopes at ranks (N ∓ z·σ)/2.
 */
export interface SlopeEstimate {
  slope: number;
  intercept: number;
  /** 95 % confidence interval of the slope. */
  lo: number;
  hi: number;
  n: number;
}

/** Pairs grow as n²: long runs are thinned to this many evenly spaced points first. */
const MAX_POINTS = 400;

export function theilSen(xs: readonly number[], ys: readonly number[]): SlopeEstimate | undefined {
  let x = xs;
  let y = ys;
  if (x.length > MAX_POINTS) {
    const step = x.length / MAX_POINTS;
    const idx = Array.from({ length: MAX_POINTS }, (_, i) => Math.floor(i * step));
    x = idx.map((i) => xs[i]);
    y = idx.map((i) => ys[i]);
  }
  const n = x.length;
  if (n < 3) return undefined;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (x[j] !== x[i]) slopes.push((y[j] - y[i]) / (x[j] - x[i]));
  if (slopes.length === 0) return undefined;
  slopes.sort((a, b) => a - b);
  const median = (arr: readonly number[]) => {
    const m = arr.length >> 1;
    return arr.length % 2 ? arr[m] : (arr[m - 1] + arr[m]) / 2;
  };
  const slope = median(slopes);
  const intercept = median(x.map((xi, i) => y[i] - slope * xi));
  const N = slopes.length;
  const sigma = Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const c = 1.96 * sigma;
  const lower = Math.max(0, Math.floor((N - c) / 2));
  const upper = Math.min(N - 1, Math.ceil((N + c) / 2));
  return { slope, intercept, lo: slopes[lower], hi: slopes[upper], n };
}
