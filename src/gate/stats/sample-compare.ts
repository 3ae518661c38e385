import { BinnedUnits, bootstrapChange, groupsOf, type ChangeInterval } from './bootstrap.js';
import { mergeDistributions, quantile, type Distribution } from './distribution.js';
import { rankTests } from './rank-tests.js';
import {
  DEFAULT_ALPHA,
  DEFAULT_CONFIDENCE,
  DEFAULT_MIN_EFFECT_PCT,
  decideVerdict,
  type Verdict,
} from './verdict.js';

/**
 * Before/after statistics of one metric over units (one-second intervals, or whole runs): the point change,
 * a bootstrap confidence interval, the rank tests' p-value, and the verdict. Three kinds of metric:
 * percentiles of merged latency distributions, ratios of sums (error rate), and means (throughput, RSS, CPU).
 */
export interface StatOptions {
  /** A change smaller than this (%) is not a change. */
  minEffectPct: number;
  /** Significance level of the combined rank tests. */
  alpha: number;
  /** Confidence of the bootstrap interval. */
  confidence: number;
  resamples: number;
  seed: number;
}

export const DEFAULT_STAT_OPTIONS: StatOptions = {
  minEffectPct: DEFAULT_MIN_EFFECT_PCT,
  alpha: DEFAULT_ALPHA,
  confidence: DEFAULT_CONFIDENCE,
  resamples: 1000,
  seed: 1,
};

export interface MetricSpec {
  higherIsBetter: boolean;
  /** An absolute change smaller than this is no change, whatever its percentage (a 0.01 ms baseline doubling is noise). */
  minAbsolute: number;
}

export interface MetricStats {
  before: number | null;
  after: number | null;
  changePct: number | null;
  ci: [number, number] | null;
  pValue: number | null;
  verdict: Verdict;
  reason: string;
  /** Units on each side. */
  samples: [number, number];
  /** When unknown: about how many more units per side would decide; null when more data is unlikely to help. */
  moreUnits: number | null;
}

const MIN_UNITS_FOR_TEST = 3;

function finish(
  before: number,
  after: number,
  interval: ChangeInterval | undefined,
  pValue: number | null,
  samples: [number, number],
  spec: MetricSpec,
  o: StatOptions,
): MetricStats {
  const base = { before, after, pValue, samples };
  if (!Number.isFinite(before) || !Number.isFinite(after)) {
    return {
      ...base,
      before: null,
      after: null,
      changePct: null,
      ci: null,
      verdict: 'unknown',
      reason: 'not measured on both sides',
      moreUnits: null,
    };
  }
  const diff = after - before;
  if (before === 0) {
    if (after === 0)
      return {
        ...base,
        changePct: 0,
        ci: [0, 0],
        verdict: 'same',
        reason: 'zero on both sides',
        moreUnits: null,
      };
    // No baseline to take a percentage of: decide on the absolute change.
    const [lo, hi] = interval?.absolute ?? [NaN, NaN];
    const sig = pValue !== null && pValue < o.alpha;
    const worse = diff > 0 !== spec.higherIsBetter;
    if (sig && Math.abs(diff) >= spec.minAbsolute && (diff > 0 ? lo > 0 : hi < 0))
      return {
        ...base,
        changePct: null,
        ci: null,
        verdict: worse ? 'regressed' : 'improved',
        reason: `from 0 to ${+after.toPrecision(3)}, p=${pValue!.toPrecision(2)}`,
        moreUnits: null,
      };
    if (Math.abs(lo) < spec.minAbsolute && Math.abs(hi) < spec.minAbsolute)
      return {
        ...base,
        changePct: null,
        ci: null,
        verdict: 'same',
        reason: `change within ±${spec.minAbsolute}`,
        moreUnits: null,
      };
    return {
      ...base,
      changePct: null,
      ci: null,
      verdict: 'unknown',
      reason: `from 0 to ${+after.toPrecision(3)}: not conclusive`,
      moreUnits: Math.min(...samples),
    };
  }
  const changePct = (100 * diff) / before;
  const ci = interval?.relative ?? null;
  if (!ci)
    return {
      ...base,
      changePct,
      ci: null,
      verdict: 'unknown',
      reason: 'no confidence interval (too few units)',
      moreUnits: null,
    };
  const minEffectPct = Math.max(o.minEffectPct, (100 * spec.minAbsolute) / Math.abs(before));
  const v = decideVerdict({
    changePct,
    ci,
    pValue,
    higherIsBetter: spec.higherIsBetter,
    minEffectPct,
    alpha: o.alpha,
  });
  const n = Math.min(...samples);
  return {
    ...base,
    changePct,
    ci: [ci[0], ci[1]],
    verdict: v.verdict,
    reason: v.reason,
    moreUnits: v.dataFactor === null ? null : Math.max(1, Math.ceil(n * (v.dataFactor - 1))),
  };
}

const testable = (a: readonly number[], b: readonly number[]) =>
  a.length >= MIN_UNITS_FOR_TEST && b.length >= MIN_UNITS_FOR_TEST;

export interface LatencyUnits {
  dists: Distribution[];
  /** Group (run) of each unit. */
  groups: number[];
}

/** Several percentiles (0–100) at once: one binned index per side, one set of resamples for all of them. */
export function compareLatency(
  before: LatencyUnits,
  after: LatencyUnits,
  ps: readonly number[],
  specs: readonly MetricSpec[],
  o: StatOptions = DEFAULT_STAT_OPTIONS,
): MetricStats[] {
  const pointB = mergeDistributions(before.dists);
  const pointA = mergeDistributions(after.dists);
  const samples: [number, number] = [before.dists.length, after.dists.length];
  const enough = before.dists.length >= 2 && after.dists.length >= 2;
  const binnedB = enough ? new BinnedUnits(before.dists) : null;
  const binnedA = enough ? new BinnedUnits(after.dists) : null;
  const intervals =
    binnedB && binnedA
      ? bootstrapChange(
          {
            groups: groupsOf(before.groups),
            units: before.dists.length,
            statistics: (w) => binnedB.quantiles(w, ps),
          },
          {
            groups: groupsOf(after.groups),
            units: after.dists.length,
            statistics: (w) => binnedA.quantiles(w, ps),
          },
          o,
        )
      : [];
  return ps.map((p, k) => {
    const ub = before.dists.filter((d) => d.total > 0).map((d) => quantile(d, p));
    const ua = after.dists.filter((d) => d.total > 0).map((d) => quantile(d, p));
    const pValue = testable(ub, ua) ? rankTests(ub, ua).pValue : null;
    return finish(quantile(pointB, p), quantile(pointA, p), intervals[k], pValue, samples, specs[k], o);
  });
}

export interface RatioUnits {
  num: number[];
  den: number[];
  groups: number[];
}

/** Σ num / Σ den (error rate = errors / requests), units compared by their own ratios. */
export function compareRatio(
  before: RatioUnits,
  after: RatioUnits,
  spec: MetricSpec,
  o: StatOptions = DEFAULT_STAT_OPTIONS,
): MetricStats {
  const ratio = (u: RatioUnits, w?: Float64Array) => {
    let n = 0;
    let d = 0;
    for (let i = 0; i < u.num.length; i++) {
      const k = w ? w[i] : 1;
      n += k * u.num[i];
      d += k * u.den[i];
    }
    return d > 0 ? n / d : NaN;
  };
  const per = (u: RatioUnits) =>
    u.num.map((x, i) => (u.den[i] > 0 ? x / u.den[i] : NaN)).filter(Number.isFinite);
  const samples: [number, number] = [before.num.length, after.num.length];
  const [interval] =
    before.num.length >= 2 && after.num.length >= 2
      ? bootstrapChange(
          {
            groups: groupsOf(before.groups),
            units: before.num.length,
            statistics: (w) => [ratio(before, w)],
          },
          { groups: groupsOf(after.groups), units: after.num.length, statistics: (w) => [ratio(after, w)] },
          o,
        )
      : [];
  const ub = per(before);
  const ua = per(after);
  return finish(
    ratio(before),
    ratio(after),
    interval,
    testable(ub, ua) ? rankTests(ub, ua).pValue : null,
    samples,
    spec,
    o,
  );
}

export interface MeanUnits {
  values: number[];
  groups: number[];
}

/** The mean of the units' values (requests per second, RSS, CPU %). */
export function compareMean(
  before: MeanUnits,
  after: MeanUnits,
  spec: MetricSpec,
  o: StatOptions = DEFAULT_STAT_OPTIONS,
): MetricStats {
  const avg = (u: MeanUnits, w?: Float64Array) => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < u.values.length; i++) {
      const k = w ? w[i] : 1;
      s += k * u.values[i];
      n += k;
    }
    return n > 0 ? s / n : NaN;
  };
  const samples: [number, number] = [before.values.length, after.values.length];
  const [interval] =
    before.values.length >= 2 && after.values.length >= 2
      ? bootstrapChange(
          {
            groups: groupsOf(before.groups),
            units: before.values.length,
            statistics: (w) => [avg(before, w)],
          },
          { groups: groupsOf(after.groups), units: after.values.length, statistics: (w) => [avg(after, w)] },
          o,
        )
      : [];
  const pValue = testable(before.values, after.values) ? rankTests(before.values, after.values).pValue : null;
  return finish(avg(before), avg(after), interval, pValue, samples, spec, o);
}
