import { kolmogorovSmirnov, type KsResult } from './kolmogorov-smirnov.js';
import { mannWhitney, type MannWhitneyResult } from './mann-whitney.js';

export interface RankTestsResult {
  mannWhitney: MannWhitneyResult;
  ks: KsResult;
  /** The smaller of the two p-values, doubled (Bonferroni): looking at two tests must not double the false alarms. */
  pValue: number;
}

/** Mann–Whitney U and Kolmogorov–Smirnov on the same two samples; the smaller p, corrected for taking two. */
export function rankTests(before: readonly number[], after: readonly number[]): RankTestsResult {
  const mw = mannWhitney(before, after);
  const ks = kolmogorovSmirnov(before, after);
  return { mannWhitney: mw, ks, pValue: Math.min(1, 2 * Math.min(mw.pValue, ks.pValue)) };
}
