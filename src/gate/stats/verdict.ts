import { normalQuantile } from './normal.js';

/**
 * The verdict rule. A change is called only when it is both statistically significant and big enough to
 * matter; "same" only when the data rule out any change that matters; everything else is "unknown", with
 * an estimate of how much more data would decide. Thresholds (defaults):
 *
 * - improved / regressed: p < α (rank tests, corrected for taking two) AND |change| ≥ the minimum effect
 *   AND the whole confidence interval lies on that side, beyond NEAR_END_FRACTION of the minimum effect.
 *   The last clause keeps a real but small change (+2 % against a 5 % minimum) from being called a
 *   regression when noise pushes its point estimate over 5 %.
 * - same: the whole confidence interval lies within ± the minimum effect (an equivalence test).
 * - unknown: neither.
 */
export type Verdict = 'improved' | 'regressed' | 'same' | 'unknown';

export const DEFAULT_MIN_EFFECT_PCT = 5;
export const DEFAULT_ALPHA = 0.01;
export const DEFAULT_CONFIDENCE = 0.95;
/**
 * How far from 0 the interval's near end must be, as a share of the minimum effect. Calibrated on synthetic
 * series (test/gate/synthetic-verdicts.test.ts: 30 one-second intervals per side, ~500 req/s, 5 % drift between
 * seconds): at 0.5 a true +2 % was called a regression 1.2 % of the time, at 0.6 ≤ 1 % while +10 % is still
 * detected ≥ 95 % on p50 and p95.
 */
export const NEAR_END_FRACTION = 0.6;

const MAX_DATA_FACTOR = 100;

export interface VerdictInput {
  /** Point estimate of the change, %. */
  changePct: number;
  /** Confidence interval of the change, %. */
  ci: readonly [number, number];
  /** Combined rank-test p-value; null when there are too few units to test. */
  pValue: number | null;
  higherIsBetter: boolean;
  minEffectPct: number;
  alpha: number;
}

export interface VerdictResult {
  verdict: Verdict;
  /** How many times the current amount of data would decide (≥ 1), when unknown; null when more data is unlikely to help. */
  dataFactor: number | null;
  reason: string;
}

const fmt = (x: number) => `${x >= 0 ? '+' : ''}${+x.toFixed(1)}%`;

export function decideVerdict(i: VerdictInput): VerdictResult {
  const { changePct: e, minEffectPct: m } = i;
  const [lo, hi] = i.ci;
  const significant = i.pValue !== null && i.pValue < i.alpha;
  const up = e >= m && lo >= m * NEAR_END_FRACTION;
  const down = e <= -m && hi <= -m * NEAR_END_FRACTION;
  if (significant && (up || down)) {
    const worse = up !== i.higherIsBetter;
    return {
      verdict: worse ? 'regressed' : 'improved',
      dataFactor: null,
      reason: `${fmt(e)} (CI ${fmt(lo)} … ${fmt(hi)}), p=${i.pValue!.toPrecision(2)}`,
    };
  }
  if (lo > -m && hi < m)
    return { verdict: 'same', dataFactor: null, reason: `CI ${fmt(lo)} … ${fmt(hi)} within ±${m}%` };

  // Unknown: how much narrower must the interval get, and how much smaller the p-value? Both scale with √n.
  const half = (hi - lo) / 2;
  const ae = Math.abs(e);
  const neededHalf = ae >= m ? ae - m * NEAR_END_FRACTION : m - ae;
  let factor = neededHalf > 0 && half > 0 ? (half / neededHalf) ** 2 : Infinity;
  if (ae >= m && i.pValue !== null && !significant) {
    const zNeeded = normalQuantile(1 - i.alpha / 4);
    const zNow = normalQuantile(1 - Math.min(0.999, i.pValue) / 4);
    factor = Math.max(factor, zNow > 0 ? (zNeeded / zNow) ** 2 : Infinity);
  }
  if (i.pValue === null) factor = Math.max(factor, 2);
  factor = Math.max(factor, 1.25);
  // A hundred times the data is not a "run again": the change sits on the threshold, and more runs will not settle it.
  if (factor > MAX_DATA_FACTOR) factor = Infinity;
  const why =
    ae >= m
      ? `${fmt(e)} but not conclusive (CI ${fmt(lo)} … ${fmt(hi)}, p=${i.pValue?.toPrecision(2) ?? 'n/a'})`
      : `CI ${fmt(lo)} … ${fmt(hi)} reaches beyond ±${m}%`;
  return { verdict: 'unknown', dataFactor: Number.isFinite(factor) ? factor : null, reason: why };
}
