import type { RunRecord } from '../core/run.js';
import { alertLevels, type AlertCheck } from './alerts.js';
import { DEFAULT_APDEX_T_MS } from './apdex.js';
import { DEFAULT_GATED_METRICS, type Budget, type RegressionMetric } from './budget.js';
import { checkAllBudgets, type BudgetCheck } from './budget-check.js';
import {
  compareRuns,
  sideSummary,
  verdictCounts,
  type ComparisonRow,
  type CompareOptions,
  type RunSideSummary,
} from './compare/compare-runs.js';
import { likeWithLikeWarnings } from './compare/like-with-like.js';
import { isTimingName, pageRowParts } from './compare/page-compare.js';
import { TIMING_NAMES } from '../core/page-run.js';
import { DEFAULT_STAT_OPTIONS, type StatOptions } from './stats/sample-compare.js';
import type { Verdict } from './stats/verdict.js';
import { checkThresholds, type ThresholdCheck } from './thresholds.js';
import { newGatedFindings, type NewFinding } from './new-findings.js';

/**
 * The CI gate: budgets, k6 thresholds and the regression test against a baseline, on one candidate.
 * It fails on a crossed budget or threshold, or on a *significant* regression beyond the minimum effect
 * of a gated metric; an "unknown" comparison does not fail (it says how many more runs would decide),
 * so a noisy runner does not cry wolf.
 */
export const GATE_SCHEMA = 'perfloop/gate@1';

export interface GateSide {
  runs: RunRecord[];
  source: string;
}

export interface GateOptions extends Omit<CompareOptions, 'metrics'> {
  apdexTMs?: number;
  /** Metrics whose regression fails the gate (default: the budget's `regression.metrics`, else DEFAULT_GATED_METRICS). */
  gatedMetrics?: readonly RegressionMetric[];
}

export interface RegressionCheck extends ComparisonRow {
  /** Whether this metric's regression fails the gate. */
  gated: boolean;
  pass: boolean;
}

export interface GateResult {
  schema: typeof GATE_SCHEMA;
  pass: boolean;
  /** The regression test's overall verdict over the gated metrics (unknown without a baseline). */
  verdict: Verdict;
  candidate: RunSideSummary;
  baseline: RunSideSummary | null;
  budgets: BudgetCheck[];
  thresholds: ThresholdCheck[];
  regressions: RegressionCheck[];
  /** Leaks and query problems the baseline did not have (each fails the gate). */
  newFindings: NewFinding[];
  alerts: AlertCheck[];
  counts: Record<Verdict, number>;
  options: StatOptions & { apdexTMs: number; gatedMetrics: RegressionMetric[]; budget: string | null };
  /** Why the gate failed, one line each. */
  failures: string[];
  warnings: string[];
  /** Flame graphs of both sides and their diff, when there are profiles (filled in by the caller that knows the paths). */
  flameGraphs?: { baseline?: string; candidate?: string; diff?: string };
  /** The two profiles the diff flame graph compares (absolute paths; they always differ) and the diff's HTML. */
  flameDiff?: { baseline: string; candidate: string; html: string };
  /** Whether baseline and candidate applied the same load. */
  scenario?: { same: boolean; differences: string[] };
}

function overallVerdict(rows: readonly RegressionCheck[]): Verdict {
  const gated = rows.filter((r) => r.gated);
  if (gated.length === 0) return 'unknown';
  if (gated.some((r) => r.verdict === 'regressed')) return 'regressed';
  if (gated.some((r) => r.verdict === 'improved')) return 'improved';
  if (gated.every((r) => r.verdict === 'same')) return 'same';
  return 'unknown';
}

const clean = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function evaluateGate(
  candidate: GateSide,
  baseline: GateSide | null,
  budget?: Budget,
  options: GateOptions = {},
): GateResult {
  if (candidate.runs.length === 0) throw new Error('evaluateGate: no candidate run');
  const newest = candidate.runs[candidate.runs.length - 1];
  const apdexTMs = options.apdexTMs ?? budget?.apdex?.tMs ?? DEFAULT_APDEX_T_MS;
  const stat: StatOptions = {
    ...DEFAULT_STAT_OPTIONS,
    ...clean({ minEffectPct: budget?.regression?.minEffectPct, alpha: budget?.regression?.alpha }),
    ...clean({
      minEffectPct: options.minEffectPct,
      alpha: options.alpha,
      confidence: options.confidence,
      resamples: options.resamples,
      seed: options.seed,
    }),
  };
  const chosen = options.gatedMetrics ?? budget?.regression?.metrics;
  const gatedMetrics = [...(chosen ?? DEFAULT_GATED_METRICS)];
  // A page run's rows are per page and timing: the timings named (`--gate lcp_ms`), else every timing; the
  // requests' rows ("GET /api/slow") are evidence, not gated.
  const chosenTimings = (chosen ?? []).filter((m: string) => isTimingName(m));
  const gatedTimings = new Set<string>(chosenTimings.length > 0 ? chosenTimings : TIMING_NAMES);
  const isGated = (name: string) => {
    const page = pageRowParts(name);
    return page ? gatedTimings.has(page.metric) : (gatedMetrics as string[]).includes(name);
  };
  const candidateSide = sideSummary(candidate.runs, candidate.source, apdexTMs);

  const budgets = budget ? checkAllBudgets(newest, budget, candidateSide.apdex?.score ?? null) : [];
  const thresholds = budget?.thresholds ? checkThresholds(newest, budget.thresholds) : [];
  const regressions: RegressionCheck[] = baseline
    ? compareRuns(baseline.runs, candidate.runs, stat).map((r) => {
        const gated = isGated(r.name);
        return { ...r, gated, pass: !(gated && r.verdict === 'regressed') };
      })
    : [];

  const failures: string[] = [];
  for (const b of budgets.filter((x) => !x.pass)) {
    const what = `budget ${b.operation ? `${b.operation} ` : ''}${b.metric}`;
    failures.push(
      b.actual === null
        ? `${what}: ${b.note ?? 'not measured'}`
        : `${what} ${+b.actual.toPrecision(4)} ${b.kind === 'max' ? '>' : '<'} ${b.limit}`,
    );
  }
  for (const t of thresholds.filter((x) => !x.pass))
    failures.push(
      `threshold ${t.metric}: ${t.expression} failed (${t.actual === null ? t.note : +t.actual.toPrecision(4)})`,
    );
  for (const r of regressions.filter((x) => !x.pass)) failures.push(`regression ${r.label}: ${r.note}`);
  const newFindings = baseline ? newGatedFindings(baseline.runs, newest) : [];
  for (const f of newFindings) failures.push(`new finding ${f.rule} (${f.severity}): ${f.title}`);

  const warnings = baseline
    ? likeWithLikeWarnings(baseline.runs, candidate.runs)
    : ['No baseline run: only budgets and thresholds were checked.'];
  if (candidate.runs.some((r) => r.warnings.some((w) => /interrupted/i.test(w))))
    warnings.push('The candidate run was interrupted: its numbers cover only part of the load.');
  return {
    schema: GATE_SCHEMA,
    pass: failures.length === 0,
    verdict: baseline ? overallVerdict(regressions) : 'unknown',
    candidate: candidateSide,
    baseline: baseline ? sideSummary(baseline.runs, baseline.source, apdexTMs) : null,
    budgets,
    thresholds,
    regressions,
    newFindings,
    alerts: alertLevels(newest, budget),
    counts: verdictCounts(regressions),
    options: { ...stat, apdexTMs, gatedMetrics, budget: budget?.source ?? null },
    failures,
    warnings,
  };
}
