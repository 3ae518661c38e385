import type { RunRecord } from '../../core/run.js';
import { scenarioDifferences } from '../../load/scenario-fingerprint.js';
import { REGRESSION_METRICS } from '../budget.js';
import { apdexOf, DEFAULT_APDEX_T_MS, type Apdex } from '../apdex.js';
import {
  compareLatency,
  compareMean,
  compareRatio,
  DEFAULT_STAT_OPTIONS,
  type MetricSpec,
  type MetricStats,
  type StatOptions,
} from '../stats/sample-compare.js';
import type { Verdict } from '../stats/verdict.js';
import { contentionAdjusted, contentionWarnings } from './contention.js';
import { headlineValue } from './headline.js';
import { compareJobRuns, isJobRecord } from './job-compare.js';
import { comparePageRuns, isPageRun, pageComparisonRows } from './page-compare.js';
import { comparisonRow } from './comparison-row.js';
import { likeWithLikeWarnings } from './like-with-like.js';
import {
  errorUnits,
  latencyUnits,
  cpuPerRequestUnits,
  resourceUnits,
  sampleUnitFor,
  throughputUnits,
  type SampleUnit,
} from './units.js';

/**
 * Before/after comparison of runs: every metric of the method's Before vs After table with its change,
 * confidence interval, p-value and verdict (`perfloop compare`, `perfloop gate`, the demo summary).
 */
/** Every metric the regression test can gate on is compared (one list, owned by the budget schema). */
export const COMPARISON_METRICS = REGRESSION_METRICS;
export type ComparisonMetric = (typeof COMPARISON_METRICS)[number];

/** A page run's row: "page:" + the page's path + " " + a timing or a request, e.g. "page:/checkout lcp_ms". */
export type PageComparisonName = `page:${string}`;

export interface ComparisonRow {
  name: ComparisonMetric | PageComparisonName;
  /** Human name for tables, e.g. "p95 latency". */
  label: string;
  /** `score`: unitless (a page's cumulative layout shift). */
  unit: 'ms' | 'req/s' | 'ratio' | 'MB' | '%' | 'score';
  betterWhen: 'lower' | 'higher';
  before: number | null;
  after: number | null;
  /** (after − before) / before, %; null when before is 0 or a side was not measured. */
  changePct: number | null;
  /** Bootstrap confidence interval of changePct. */
  ci: [number, number] | null;
  /** Mann–Whitney U and Kolmogorov–Smirnov, the smaller p doubled; null with too few units. */
  pValue: number | null;
  verdict: Verdict;
  /** Units per side, and what a unit is. */
  samples: [number, number];
  sampleUnit: SampleUnit;
  /** When unknown: about how many more runs (of the same length, per side) would decide; null when unlikely to help. */
  moreRuns: number | null;
  /** Why the verdict, in words. */
  note: string;
}

export interface CompareOptions extends Partial<StatOptions> {
  metrics?: readonly ComparisonMetric[];
}

interface MetricDef {
  label: string;
  unit: ComparisonRow['unit'];
  spec: MetricSpec;
}

const DEFS: Record<ComparisonMetric, MetricDef> = {
  p50_latency_ms: { label: 'p50 latency', unit: 'ms', spec: { higherIsBetter: false, minAbsolute: 0.05 } },
  p95_latency_ms: { label: 'p95 latency', unit: 'ms', spec: { higherIsBetter: false, minAbsolute: 0.05 } },
  p99_latency_ms: { label: 'p99 latency', unit: 'ms', spec: { higherIsBetter: false, minAbsolute: 0.05 } },
  throughput_rps: { label: 'Throughput', unit: 'req/s', spec: { higherIsBetter: true, minAbsolute: 0.5 } },
  error_rate: { label: 'Error rate', unit: 'ratio', spec: { higherIsBetter: false, minAbsolute: 0.001 } },
  memory_mb: { label: 'Memory (mean RSS)', unit: 'MB', spec: { higherIsBetter: false, minAbsolute: 2 } },
  cpu_pct: { label: 'CPU (mean, % of a core)', unit: '%', spec: { higherIsBetter: false, minAbsolute: 2 } },
  // What CPU % means when throughput changed: a faster service serving more requests uses more CPU in total.
  cpu_ms_per_request: { label: 'CPU per request', unit: 'ms', spec: { higherIsBetter: false, minAbsolute: 0.01 } },
};

export const metricLabel = (m: ComparisonMetric) => DEFS[m].label;

const asList = (x: RunRecord | readonly RunRecord[]): RunRecord[] =>
  Array.isArray(x) ? [...x] : [x as RunRecord];

function unitsPerRun(samples: [number, number], runs: [number, number], unit: SampleUnit): number {
  if (unit === 'run') return 1;
  return Math.max(1, Math.min(samples[0] / Math.max(1, runs[0]), samples[1] / Math.max(1, runs[1])));
}

function row(
  name: ComparisonMetric,
  s: MetricStats,
  unit: SampleUnit,
  runs: [number, number],
): ComparisonRow {
  const perRun = unitsPerRun(s.samples, runs, unit);
  const moreRuns =
    s.verdict === 'unknown' && s.moreUnits !== null ? Math.max(1, Math.ceil(s.moreUnits / perRun)) : null;
  return comparisonRow(name, DEFS[name], s, unit, moreRuns);
}

export function compareRuns(
  before: RunRecord | readonly RunRecord[],
  after: RunRecord | readonly RunRecord[],
  options: CompareOptions = {},
): ComparisonRow[] {
  const b = asList(before);
  const a = asList(after);
  const o: StatOptions = {
    ...DEFAULT_STAT_OPTIONS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  const wanted = new Set(options.metrics ?? COMPARISON_METRICS);
  if (b.length > 0 && a.length > 0 && [...b, ...a].every(isJobRecord)) return compareJobRuns(b, a, wanted, o);
  // Page runs: per page and timing on their loads (the service metric names do not apply; `metrics` is ignored).
  if (b.length > 0 && a.length > 0 && [...b, ...a].every(isPageRun))
    return pageComparisonRows(comparePageRuns(b, a, { minEffectPct: o.minEffectPct, alpha: o.alpha }));
  const unit = sampleUnitFor(b, a);
  const runs: [number, number] = [b.length, a.length];
  const out = new Map<ComparisonMetric, ComparisonRow>();

  const latency = (['p50_latency_ms', 'p95_latency_ms', 'p99_latency_ms'] as const).filter((m) =>
    wanted.has(m),
  );
  if (latency.length > 0) {
    const ps = latency.map((m) => (m === 'p50_latency_ms' ? 50 : m === 'p95_latency_ms' ? 95 : 99));
    const stats = compareLatency(
      latencyUnits(b, unit),
      latencyUnits(a, unit),
      ps,
      latency.map((m) => DEFS[m].spec),
      o,
    );
    latency.forEach((m, k) => out.set(m, row(m, stats[k], unit, runs)));
  }
  if (wanted.has('throughput_rps'))
    out.set(
      'throughput_rps',
      row(
        'throughput_rps',
        compareMean(throughputUnits(b, unit), throughputUnits(a, unit), DEFS.throughput_rps.spec, o),
        unit,
        runs,
      ),
    );
  if (wanted.has('error_rate'))
    out.set(
      'error_rate',
      row(
        'error_rate',
        compareRatio(errorUnits(b, unit), errorUnits(a, unit), DEFS.error_rate.spec, o),
        unit,
        runs,
      ),
    );
  if (wanted.has('memory_mb'))
    out.set(
      'memory_mb',
      row(
        'memory_mb',
        compareMean(resourceUnits(b, unit, 'rssMb'), resourceUnits(a, unit, 'rssMb'), DEFS.memory_mb.spec, o),
        unit,
        runs,
      ),
    );
  if (wanted.has('cpu_pct'))
    out.set(
      'cpu_pct',
      row(
        'cpu_pct',
        compareMean(resourceUnits(b, unit, 'cpuPct'), resourceUnits(a, unit, 'cpuPct'), DEFS.cpu_pct.spec, o),
        unit,
        runs,
      ),
    );
  if (wanted.has('cpu_ms_per_request')) {
    const [ub, ua] = [cpuPerRequestUnits(b, unit), cpuPerRequestUnits(a, unit)];
    if (ub.values.length > 0 && ua.values.length > 0)
      out.set('cpu_ms_per_request', row('cpu_ms_per_request', compareMean(ub, ua, DEFS.cpu_ms_per_request.spec, o), unit, runs));
  }
  const rows = COMPARISON_METRICS.filter((m) => out.has(m)).map((m) => withHeadline(out.get(m)!, b, a));
  return contentionAdjusted(rows, b, a);
}

/** The row's before/after (and change) as the runs' headline values, so every table shows the same numbers. */
function withHeadline(row: ComparisonRow, before: readonly RunRecord[], after: readonly RunRecord[]): ComparisonRow {
  if (row.name.startsWith('page:')) return row;
  const b = headlineValue(row.name as ComparisonMetric, before);
  const a = headlineValue(row.name as ComparisonMetric, after);
  if (b === null || a === null || row.before === null || row.after === null) return row;
  return { ...row, before: b, after: a, changePct: b !== 0 ? Math.round(((a - b) / b) * 10_000) / 100 : row.changePct };
}

/** How many rows got each verdict. */
export function verdictCounts(rows: readonly ComparisonRow[]): Record<Verdict, number> {
  const c: Record<Verdict, number> = { improved: 0, regressed: 0, same: 0, unknown: 0 };
  for (const r of rows) c[r.verdict]++;
  return c;
}

export interface RunSideSummary {
  runs: { id: string; label: string; startedAt: string; gitSha: string | null; gitBranch: string | null }[];
  source: string;
  apdex: Apdex | null;
}

/** `perfloop/compare@1`: what `perfloop compare --json` prints. */
export interface ComparisonDocument {
  schema: 'perfloop/compare@1';
  before: RunSideSummary;
  after: RunSideSummary;
  options: StatOptions & { apdexTMs: number };
  metrics: ComparisonRow[];
  counts: Record<Verdict, number>;
  /** Whether both sides applied the same load (scenario), and what differs when not. */
  scenario: { same: boolean; differences: string[] };
  warnings: string[];
}

/** Same scenario on both sides (by fingerprint), or the differences between the newest run of each side. */
export function scenarioComparison(
  before: readonly RunRecord[],
  after: readonly RunRecord[],
): { same: boolean; differences: string[] } {
  const ids = new Set([...before, ...after].map((r) => r.run.scenario.id));
  if (ids.size <= 1) return { same: true, differences: [] };
  const b = before[before.length - 1].run.scenario;
  const a = after[after.length - 1].run.scenario;
  const differences = b.id === a.id ? ['the pooled repeats applied different loads'] : scenarioDifferences(b, a);
  return { same: false, differences };
}

export const COMPARE_SCHEMA = 'perfloop/compare@1';

export function sideSummary(
  runs: readonly RunRecord[],
  source: string,
  apdexTMs = DEFAULT_APDEX_T_MS,
): RunSideSummary {
  return {
    runs: runs.map((r) => ({
      id: r.run.id,
      label: r.run.label,
      startedAt: r.run.startedAt,
      gitSha: r.run.gitSha,
      gitBranch: r.run.gitBranch,
    })),
    source,
    apdex: apdexOf(runs, apdexTMs),
  };
}

export function comparisonDocument(
  before: { runs: readonly RunRecord[]; source: string },
  after: { runs: readonly RunRecord[]; source: string },
  options: CompareOptions & { apdexTMs?: number } = {},
): ComparisonDocument {
  const metrics = compareRuns(before.runs, after.runs, options);
  const apdexTMs = options.apdexTMs ?? DEFAULT_APDEX_T_MS;
  const stat = {
    minEffectPct: options.minEffectPct,
    alpha: options.alpha,
    confidence: options.confidence,
    resamples: options.resamples,
    seed: options.seed,
  };
  return {
    schema: COMPARE_SCHEMA,
    before: sideSummary(before.runs, before.source, apdexTMs),
    after: sideSummary(after.runs, after.source, apdexTMs),
    options: {
      ...DEFAULT_STAT_OPTIONS,
      ...Object.fromEntries(Object.entries(stat).filter(([, v]) => v !== undefined)),
      apdexTMs,
    },
    metrics,
    counts: verdictCounts(metrics),
    scenario: scenarioComparison(before.runs, after.runs),
    warnings: [...likeWithLikeWarnings(before.runs, after.runs), ...contentionWarnings(before.runs, after.runs)],
  };
}
