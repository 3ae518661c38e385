import type { Distribution } from './distribution.js';
import { seededRandom, type Random } from './rng.js';

/**
 * Bootstrap confidence intervals of the change between two samples of units, by resampling units (and,
 * when a side holds several runs, runs first and then units within each drawn run — so run-to-run
 * variation widens the interval instead of being mistaken for signal). Seeded: same data, same interval.
 */

/** Unit indices per group (run), in the order the units are stored. */
export type Groups = readonly (readonly number[])[];

export function groupsOf(groupIds: readonly number[]): number[][] {
  const map = new Map<number, number[]>();
  groupIds.forEach((g, i) => {
    const list = map.get(g);
    if (list) list.push(i);
    else map.set(g, [i]);
  });
  return [...map.values()];
}

/** Fills `out` with how often each unit is drawn in one bootstrap resample. */
export function resampleWeights(groups: Groups, random: Random, out: Float64Array): void {
  out.fill(0);
  if (groups.length === 1) {
    const g = groups[0];
    for (let k = 0; k < g.length; k++) out[g[Math.floor(random() * g.length)]]++;
    return;
  }
  for (let k = 0; k < groups.length; k++) {
    const g = groups[Math.floor(random() * groups.length)];
    for (let j = 0; j < g.length; j++) out[g[Math.floor(random() * g.length)]]++;
  }
}

/** log-spaced bins 0.2 % wide: fine enough against a 5 % minimum effect, coarse enough to be fast. */
const LOG_STEP = Math.log(1.002);

/**
 * Units' latency distributions binned on one shared grid with a cumulative count per unit, so a
 * percentile of any weighted merge is a binary search over bins with one dot product per probe.
 */
export class BinnedUnits {
  readonly binValues: Float64Array;
  private readonly cdf: Float64Array;
  private readonly totals: Float64Array;
  private readonly bins: number;

  constructor(dists: readonly Distribution[]) {
    const keyOf = (v: number) => Math.floor(Math.log(Math.max(v, 1e-6)) / LOG_STEP);
    const unitKeys = dists.map((d) => Int32Array.from(d.values, keyOf));
    const binMax = new Map<number, number>();
    unitKeys.forEach((keys, u) =>
      keys.forEach((k, i) => binMax.set(k, Math.max(binMax.get(k) ?? -Infinity, dists[u].values[i]))),
    );
    const sorted = Int32Array.from(binMax.keys()).sort();
    const index = new Map<number, number>();
    sorted.forEach((k, i) => index.set(k, i));
    this.bins = sorted.length;
    this.binValues = Float64Array.from(sorted, (k) => binMax.get(k)!);
    this.cdf = new Float64Array(dists.length * this.bins);
    this.totals = new Float64Array(dists.length);
    dists.forEach((d, u) => {
      const row = u * this.bins;
      const keys = unitKeys[u];
      for (let i = 0; i < keys.length; i++) this.cdf[row + index.get(keys[i])!] += d.counts[i];
      for (let k = 1; k < this.bins; k++) this.cdf[row + k] += this.cdf[row + k - 1];
      this.totals[u] = d.total;
    });
  }

  /** Percentiles (0–100) of the merge of the units, each unit counted `w[u]` times. */
  quantiles(w: Float64Array, ps: readonly number[]): number[] {
    const active = new Int32Array(w.length);
    const weight = new Float64Array(w.length);
    let n = 0;
    let total = 0;
    for (let u = 0; u < w.length; u++) {
      if (w[u] > 0 && this.totals[u] > 0) {
        active[n] = u * this.bins;
        weight[n++] = w[u];
        total += w[u] * this.totals[u];
      }
    }
    if (total === 0) return ps.map(() => NaN);
    return ps.map((p) => {
      const target = Math.max(1, Math.ceil((p / 100) * total - 1e-9));
      let lo = 0;
      let hi = this.bins - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        let c = 0;
        for (let j = 0; j < n; j++) c += weight[j] * this.cdf[active[j] + mid];
        if (c >= target) hi = mid;
        else lo = mid + 1;
      }
      return this.binValues[lo];
    });
  }
}

export interface BootstrapSide {
  groups: Groups;
  units: number;
  /** The statistics of one resample, given each unit's multiplicity. */
  statistics: (w: Float64Array) => number[];
}

export interface ChangeInterval {
  /** Relative change after/before − 1, in %; null when the baseline statistic is 0 in too many resamples. */
  relative: [number, number] | null;
  /** Absolute change after − before. */
  absolute: [number, number];
}

function percentileOfSorted(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Percentile-bootstrap intervals of each statistic's change, at `confidence` (e.g. 0.95). */
export function bootstrapChange(
  before: BootstrapSide,
  after: BootstrapSide,
  options: { resamples: number; seed: number; confidence: number },
): ChangeInterval[] {
  const random = seededRandom(options.seed);
  const wb = new Float64Array(before.units);
  const wa = new Float64Array(after.units);
  const rel: number[][] = [];
  const abs: number[][] = [];
  for (let b = 0; b < options.resamples; b++) {
    resampleWeights(before.groups, random, wb);
    resampleWeights(after.groups, random, wa);
    const sb = before.statistics(wb);
    const sa = after.statistics(wa);
    sb.forEach((x, k) => {
      (rel[k] ??= []).push(x > 0 ? (100 * (sa[k] - x)) / x : NaN);
      (abs[k] ??= []).push(sa[k] - x);
    });
  }
  const tail = (1 - options.confidence) / 2;
  return abs.map((a, k) => {
    const fa = a.filter(Number.isFinite).sort((x, y) => x - y);
    const fr = rel[k].filter(Number.isFinite).sort((x, y) => x - y);
    return {
      relative:
        fr.length >= 0.9 * options.resamples
          ? [percentileOfSorted(fr, tail), percentileOfSorted(fr, 1 - tail)]
          : null,
      absolute: fa.length > 0 ? [percentileOfSorted(fa, tail), percentileOfSorted(fa, 1 - tail)] : [NaN, NaN],
    };
  });
}
