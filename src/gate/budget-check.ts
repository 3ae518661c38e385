import { severityForPct, type Finding } from '../core/finding.js';
import type { EndpointSummary, RunMetrics, RunRecord } from '../core/run.js';
import type { Budget, BudgetMetric, OperationMetric } from './budget.js';
import { checkJobBudget } from './budget-jobs.js';
import { checkPageBudgets } from './budget-pages.js';

export interface BudgetResult {
  metric: BudgetMetric;
  limit: number;
  kind: 'max' | 'min';
  actual: number | null;
  pass: boolean;
}

export function budgetActual(m: RunMetrics, metric: BudgetMetric): number | null {
  switch (metric) {
    case 'p50_latency_ms':
      return m.http_req_duration.p50;
    case 'p90_latency_ms':
      return m.http_req_duration.p90;
    case 'p95_latency_ms':
      return m.http_req_duration.p95;
    case 'p99_latency_ms':
      return m.http_req_duration.p99;
    case 'max_latency_ms':
      return m.http_req_duration.max;
    case 'error_rate':
      return m.http_req_failed.rate;
    case 'memory_mb':
      return m.memory?.rssMaxMb ?? null;
    case 'cpu_pct':
      return m.cpu?.meanPct ?? null;
    case 'throughput_rps':
      return m.http_reqs.rate;
  }
}

export function checkBudget(m: RunMetrics, b: Budget): BudgetResult[] {
  const out: BudgetResult[] = [];
  for (const [metric, lim] of Object.entries(b.limits) as [BudgetMetric, { max?: number; min?: number }][]) {
    const actual = budgetActual(m, metric);
    for (const kind of ['max', 'min'] as const) {
      const limit = lim[kind];
      if (limit === undefined) continue;
      // A metric that was not measured cannot pass a budget on it.
      const pass = actual !== null && (kind === 'max' ? actual <= limit : actual >= limit);
      out.push({ metric, limit, kind, actual, pass });
    }
  }
  return out;
}

/** `http.latency-budget` / `http.error-rate` (and resource budgets) for every crossed limit. */
export function budgetFindings(results: readonly BudgetResult[]): Finding[] {
  return results
    .filter((r) => !r.pass)
    .map((r) => {
      const rule =
        r.metric === 'error_rate'
          ? 'http.error-rate'
          : r.metric.includes('latency')
            ? 'http.latency-budget'
            : `budget.${r.metric}`;
      const over =
        r.actual === null
          ? 100
          : r.kind === 'max'
            ? (100 * (r.actual - r.limit)) / Math.max(r.actual, 1e-9)
            : (100 * (r.limit - r.actual)) / r.limit;
      return {
        rule,
        area: 'http',
        severity: severityForPct(Math.max(2, Math.min(100, over))),
        title: `${r.metric} ${r.actual === null ? 'not measured' : +r.actual.toFixed(3)} ${r.kind === 'max' ? '>' : '<'} budget ${r.limit}`,
        evidence: { metric: r.metric, actual: r.actual, limit: r.limit, kind: r.kind },
        recommendation:
          'Fix the top findings of this report, then re-run: the budget is what the service promised.',
        estimatedImpact: {
          pct: Math.round(Math.max(0, Math.min(100, over))),
          basis: 'how far the metric is beyond its budget',
        },
      } satisfies Finding;
    });
}

/** One limit checked by the gate: a run-wide metric, an operation's (endpoint's) metric, or the Apdex minimum. */
export interface BudgetCheck {
  scope: 'run' | 'operation' | 'job' | 'page';
  /** The endpoint, for operation budgets; the job's name, for job budgets; the page (path or URL), for page budgets. */
  operation?: string;
  metric: string;
  kind: 'max' | 'min';
  limit: number;
  actual: number | null;
  pass: boolean;
  note?: string;
}

function operationActual(e: EndpointSummary, metric: OperationMetric, durationS: number): number {
  switch (metric) {
    case 'p50_latency_ms':
      return e.p50;
    case 'p90_latency_ms':
      return e.p90;
    case 'p95_latency_ms':
      return e.p95;
    case 'p99_latency_ms':
      return e.p99;
    case 'max_latency_ms':
      return e.max;
    case 'error_rate':
      return e.count > 0 ? e.errors / e.count : 0;
    case 'throughput_rps':
      return durationS > 0 ? e.count / durationS : 0;
  }
}

/** Every limit of the budget on a run: run-wide metrics, then each operation's, then the Apdex minimum. */
export function checkAllBudgets(r: RunRecord, b: Budget, apdexScore: number | null): BudgetCheck[] {
  // A job run is held to its `jobs` limits only: latency, throughput and Apdex limits are a service's.
  if (r.kind === 'job' && r.job)
    return checkJobBudget(b.jobs, r.job).map((x) => ({
      scope: 'job',
      operation: x.job,
      metric: x.metric,
      kind: 'max',
      limit: x.limit,
      actual: x.actual,
      pass: x.pass,
      note: x.statistic,
    }));
  // A page run likewise: its `pages` limits (the service's latency limits would read its load times as latencies).
  if (r.kind === 'page' && r.page)
    return checkPageBudgets(b.pages ?? {}, r.page.pages).results.map((x) => ({
      scope: 'page',
      operation: x.page,
      metric: x.metric,
      kind: 'max',
      limit: x.max,
      actual: x.actual,
      pass: x.ok,
      note: x.actual === null ? `not measured on ${x.url}` : `${x.of} of the loads`,
    }));
  const out: BudgetCheck[] = checkBudget(r.metrics, b).map((x) => ({
    scope: 'run',
    metric: x.metric,
    kind: x.kind,
    limit: x.limit,
    actual: x.actual,
    pass: x.pass,
    ...(x.actual === null ? { note: 'not measured in this run' } : {}),
  }));
  for (const [name, lims] of Object.entries(b.operations ?? {})) {
    // An operation is an endpoint (request name), or the scenario as a whole (the run's summary).
    const e =
      r.endpoints.find((x) => x.name === name) ??
      (name === r.run.scenario.name || name === r.run.scenario.description
        ? { name, ...r.metrics.http_req_duration, errors: r.metrics.http_req_failed.count }
        : undefined);
    for (const [metric, lim] of Object.entries(lims) as [OperationMetric, { max?: number; min?: number }][]) {
      for (const kind of ['max', 'min'] as const) {
        const limit = lim?.[kind];
        if (limit === undefined) continue;
        const actual = e ? operationActual(e, metric, r.run.durationS) : null;
        const pass = actual !== null && (kind === 'max' ? actual <= limit : actual >= limit);
        out.push({
          scope: 'operation',
          operation: name,
          metric,
          kind,
          limit,
          actual,
          pass,
          ...(e ? {} : { note: `no endpoint named ${JSON.stringify(name)} in this run` }),
        });
      }
    }
  }
  if (b.apdex?.min !== undefined) {
    out.push({
      scope: 'run',
      metric: `apdex (T=${b.apdex.tMs} ms)`,
      kind: 'min',
      limit: b.apdex.min,
      actual: apdexScore,
      pass: apdexScore !== null && apdexScore >= b.apdex.min,
    });
  }
  return out;
}
