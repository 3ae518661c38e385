import { TIMING_NAMES, type PageTimings, type Stat, type TimingName } from './types.js';

/** Nearest-rank percentile of the values present (null when no run measured it). */
export function percentile(values: readonly (number | null)[], p: number): number | null {
  const xs = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))];
}

export function timingStats(runs: readonly PageTimings[]): Record<TimingName, Stat> {
  const out = {} as Record<TimingName, Stat>;
  for (const name of TIMING_NAMES) {
    const xs = runs.map((r) => r[name]);
    out[name] = { p50: percentile(xs, 50), p95: percentile(xs, 95) };
  }
  return out;
}

/**
 * The representative run: the one closest to the median of the headline metric (LCP when the browser reported
 * it, else load). Not the run whose metrics are each median (there is none): one real run, whose trace and
 * filmstrip belong to its numbers — what Lighthouse CI's "median run" gets wrong when it mixes metrics (LHCI #1064).
 */
export function representativeRun(runs: readonly PageTimings[]): { index: number; metric: 'lcp_ms' | 'load_ms' } {
  const metric: 'lcp_ms' | 'load_ms' = runs.some((r) => r.lcp_ms !== null) ? 'lcp_ms' : 'load_ms';
  const values = runs.map((r) => r[metric]);
  const xs = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (xs.length === 0) return { index: 0, metric };
  const median = xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
  let index = 0;
  let best = Infinity;
  values.forEach((x, i) => {
    if (x !== null && Math.abs(x - median) < best) {
      best = Math.abs(x - median);
      index = i;
    }
  });
  return { index, metric };
}
