import type { MetricStats } from '../stats/sample-compare.js';
import type { ComparisonMetric, ComparisonRow } from './compare-runs.js';
import type { SampleUnit } from './units.js';

/** One row of a comparison from its metric's definition and statistics (service and job comparisons alike). */
export function comparisonRow(
  name: ComparisonMetric,
  d: { label: string; unit: ComparisonRow['unit']; spec: { higherIsBetter: boolean } },
  s: MetricStats,
  sampleUnit: SampleUnit,
  moreRuns: number | null,
): ComparisonRow {
  return {
    name,
    label: d.label,
    unit: d.unit,
    betterWhen: d.spec.higherIsBetter ? 'higher' : 'lower',
    before: s.before,
    after: s.after,
    changePct: s.changePct,
    ci: s.ci,
    pValue: s.pValue,
    verdict: s.verdict,
    samples: s.samples,
    sampleUnit,
    moreRuns,
    note: s.reason,
  };
}
