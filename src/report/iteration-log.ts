import { rankFindings } from '../core/finding.js';
import { jobTargetRows } from './job-targets.js';
import { pageTargetRows } from './page-targets.js';
import type { PageBudgets } from '../gate/budget-pages.js';
import type { RunRecord } from '../core/run.js';
import { compareRuns, type ComparisonRow, type CompareOptions } from '../gate/compare/compare-runs.js';
import { isPageRun, pageHeadlineLabel, pageHeadlineRow } from '../gate/compare/page-compare.js';
import { commitUrl } from '../gate/git-refs.js';
import type { Verdict } from '../gate/stats/verdict.js';
import { signed } from './comparison.js';
import { resolvedFindings } from './resolved-findings.js';
import { fmtMs, fmtNum, fmtPct, mdEscape, mdTable } from './markdown.js';
import { DEFAULT_P95_TARGET_MS } from './symptoms.js';

/** One iteration of the loop: the run, and what it changed (from its label or the demo's catalogue). */
export interface Iteration {
  record: RunRecord;
  bottleneck: string;
  change: string;
}

const improvement = (
  before: number | null | undefined,
  after: number | null | undefined,
  higherIsBetter = false,
) => {
  if (before === null || before === undefined || after === null || after === undefined || before === 0)
    return '–';
  const pct = higherIsBetter ? (100 * (after - before)) / before : (100 * (before - after)) / before;
  return `${pct >= 0 ? '' : '−'}${fmtPct(Math.abs(pct), 0)}${pct < 0 ? ' (worse)' : ''}`;
};

/** The method's Iteration Log: each run's p95 against the previous run's. */
export function iterationLogTable(iterations: readonly Iteration[]): string {
  const rows: string[][] = [];
  for (let i = 1; i < iterations.length; i++) {
    const before = iterations[i - 1].record.metrics.http_req_duration.p95;
    const after = iterations[i].record.metrics.http_req_duration.p95;
    rows.push([
      String(i),
      mdEscape(iterations[i].bottleneck),
      mdEscape(iterations[i].change),
      fmtMs(before),
      fmtMs(after),
      improvement(before, after),
    ]);
  }
  return mdTable(['#', 'Bottleneck', 'Change', 'Before (p95)', 'After (p95)', 'Improvement'], rows);
}

/** The method's Before vs After table, first run against last. */
export function beforeAfterTable(first: RunRecord, last: RunRecord): string {
  const a = first.metrics;
  const b = last.metrics;
  const mb = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${fmtNum(x, 0)}MB`);
  const rps = (x: number) => `${fmtNum(x, 0)} req/s`;
  return mdTable(
    ['Metric', 'Before', 'After', 'Improvement'],
    [
      [
        'p50 latency',
        fmtMs(a.http_req_duration.p50),
        fmtMs(b.http_req_duration.p50),
        improvement(a.http_req_duration.p50, b.http_req_duration.p50),
      ],
      [
        'p95 latency',
        fmtMs(a.http_req_duration.p95),
        fmtMs(b.http_req_duration.p95),
        improvement(a.http_req_duration.p95, b.http_req_duration.p95),
      ],
      [
        'p99 latency',
        fmtMs(a.http_req_duration.p99),
        fmtMs(b.http_req_duration.p99),
        improvement(a.http_req_duration.p99, b.http_req_duration.p99),
      ],
      [
        'Throughput',
        rps(a.http_reqs.rate),
        rps(b.http_reqs.rate),
        improvement(a.http_reqs.rate, b.http_reqs.rate, true),
      ],
      [
        'Memory usage (RSS max)',
        mb(a.memory?.rssMaxMb),
        mb(b.memory?.rssMaxMb),
        improvement(a.memory?.rssMaxMb, b.memory?.rssMaxMb),
      ],
      [
        'Heap growth',
        a.memory?.heapUsedSlopeMbPerMin == null ? '–' : `${a.memory.heapUsedSlopeMbPerMin} MB/min`,
        b.memory?.heapUsedSlopeMbPerMin == null ? '–' : `${b.memory.heapUsedSlopeMbPerMin} MB/min`,
        '–',
      ],
      ['CPU usage (mean)', fmtPct(a.cpu?.meanPct, 0), fmtPct(b.cpu?.meanPct, 0), '–'],
      ['Error rate', fmtPct(a.http_req_failed.rate * 100, 2), fmtPct(b.http_req_failed.rate * 100, 2), '–'],
    ],
  );
}

// ── The iteration log from stored runs (`perfloop log`) ────────────────────────────────────────────────

/** One iteration of the stored loop: its runs (repeats pooled), what it changed, and its effect on p95. */
export interface LoggedIteration {
  n: number;
  runs: RunRecord[];
  label: string;
  gitSha: string | null;
  commitUrl: string | null;
  /**
   * What this change went after: the highest-ranked finding of the previous iteration that this one no
   * longer has, else the previous iteration's top finding.
   */
  bottleneck: string;
  bottleneckRule: string | null;
  change: string;
  /** What before/after measure: "p95" (latency; a job's duration), or a page run's headline ("/checkout LCP", the median of its loads). */
  headline: string;
  /** p95 latency (a page run: its headline metric) before (previous iteration) and after (this one), ms. */
  before: number | null;
  after: number | null;
  /** Reduction of p95, % (negative = slower). */
  improvementPct: number | null;
  ci: [number, number] | null;
  pValue: number | null;
  verdict: Verdict | null;
  /** The other metrics whose change was called (p50, throughput, error rate, memory…), e.g. "p50 latency improved". */
  alsoCalled: string[];
  /** The whole comparison with the previous iteration (null for the first). */
  comparison: ComparisonRow[] | null;
}

/** Consecutive runs of one commit and label against one target form one iteration (repeats). */
export function groupRepeats(runs: readonly RunRecord[]): RunRecord[][] {
  const groups: RunRecord[][] = [];
  const key = (r: RunRecord) =>
    `${r.run.gitSha}\u0000${r.run.label}\u0000${r.run.target}\u0000${r.run.scenario.id}`;
  for (const r of runs) {
    const last = groups[groups.length - 1];
    if (last && r.run.label && key(last[0]) === key(r)) last.push(r);
    else groups.push([r]);
  }
  return groups;
}

/**
 * What an iteration changed: its label, and the target command when that changed too (an iteration's change
 * is often a flag or another entry point, and the log must show it rather than lose the run).
 */
export function changeOf(before: RunRecord, after: RunRecord): string {
  const label = after.run.label || '(unlabelled)';
  return before.run.target === after.run.target ? label : `${label} (target: ${before.run.target} → ${after.run.target})`;
}

/** The finding a change removed (else the top finding before it): its title, or a dash. */
function bottleneckOf(before: RunRecord, after: RunRecord): { title: string; rule: string | null } {
  const f = resolvedFindings(before, after)[0] ?? rankFindings(before.findings)[0];
  return f ? { title: f.title, rule: f.rule } : { title: 'no finding above the thresholds', rule: null };
}

export function loggedIterations(
  runs: readonly RunRecord[],
  o: { compare?: CompareOptions; repoUrl?: string | null } = {},
): LoggedIteration[] {
  const groups = groupRepeats(runs);
  return groups.map((g, i) => {
    const newest = g[g.length - 1];
    const prev = i > 0 ? groups[i - 1] : null;
    const comparison = prev ? compareRuns(prev, g, o.compare) : null;
    const page = g.every(isPageRun);
    const p95 = (page ? pageHeadlineRow(comparison ?? [], g) : comparison?.find((r) => r.name === 'p95_latency_ms')) ?? null;
    const top = prev ? bottleneckOf(prev[prev.length - 1], newest) : { title: '–', rule: null };
    return {
      n: i,
      runs: g,
      label: newest.run.label,
      gitSha: newest.run.gitSha,
      commitUrl: newest.run.gitSha && o.repoUrl ? commitUrl(o.repoUrl, newest.run.gitSha) : null,
      bottleneck: top.title,
      bottleneckRule: top.rule,
      change: i === 0 ? '–' : changeOf(prev![prev!.length - 1], newest),
      headline: page ? (pageHeadlineLabel(newest) ?? 'p95') : 'p95',
      before: p95?.before ?? null,
      after: p95?.after ?? (page ? pageHeadline(newest) : newest.metrics.http_req_duration.p95),
      improvementPct: p95?.changePct == null ? null : -p95.changePct,
      ci: p95?.ci ? [-p95.ci[1], -p95.ci[0]] : null,
      pValue: p95?.pValue ?? null,
      verdict: p95?.verdict ?? null,
      alsoCalled: (comparison ?? [])
        .filter((r) => r !== p95 && r.name !== 'p95_latency_ms' && (r.verdict === 'improved' || r.verdict === 'regressed'))
        .map((r) => `${r.label} ${r.verdict}`),
      comparison,
    };
  });
}

/** A page run's headline value on its own (the first iteration has nothing to compare with): the median of its loads. */
function pageHeadline(r: RunRecord): number | null {
  const p = r.page?.pages[0];
  return p ? p.metrics[p.headlineMetric].p50 : null;
}

/** An improvement in % (negative = worse), rounded before its sign is chosen so −0.3 % reads "0%". */
export function fmtGain(pct: number | null, worseSuffix = ' (worse)'): string {
  if (pct === null) return '–';
  const g = Math.round(pct);
  return `${g < 0 ? '−' : ''}${Math.abs(g)}%${g < 0 ? worseSuffix : ''}`;
}

const commitCell = (it: LoggedIteration) =>
  it.gitSha
    ? it.commitUrl
      ? `[\`${it.gitSha.slice(0, 7)}\`](${it.commitUrl})`
      : `\`${it.gitSha.slice(0, 7)}\``
    : '–';

/** The method's Iteration Log, with the verdict of each change and its commit. */
export function loggedIterationTable(iterations: readonly LoggedIteration[]): string {
  const rows = iterations
    .slice(1)
    .map((it) => [
      String(it.n),
      mdEscape(it.bottleneck),
      mdEscape(it.change) + (it.runs.length > 1 ? ` <sub>×${it.runs.length} runs</sub>` : ''),
      fmtMs(it.before),
      fmtMs(it.after),
      fmtGain(it.improvementPct),
      (it.verdict
        ? `${it.verdict}${it.ci ? ` <sub>(CI ${signed(it.ci[0], 0)} … ${signed(it.ci[1], 0)}%)</sub>` : ''}`
        : '–') + (it.alsoCalled.length > 0 ? `<br><sub>${mdEscape(it.alsoCalled.join(' · '))}</sub>` : ''),
      commitCell(it),
    ]);
  const h = headlineOfAll(iterations);
  return mdTable(['#', 'Bottleneck', 'Change', `Before (${h})`, `After (${h})`, 'Improvement', 'Verdict', 'Commit'], rows);
}

/** What the iterations' before/after measure: page runs name their headline metric, others the method's p95; a log mixing both says "headline". */
export function headlineOfAll(iterations: readonly { headline: string }[]): string {
  const names = new Set(iterations.map((it) => it.headline));
  return names.size === 1 ? [...names][0] : 'headline';
}

export interface TargetRow {
  metric: string;
  baseline: number | null;
  current: number | null;
  target: number | null;
  met: boolean | null;
  /** `score`: unitless (a page's CLS). */
  unit: 'ms' | 'req/s' | 'MB' | '%' | 'score';
}

/** The method's Current vs Target rows: first iteration vs last, against the budget's targets. */
export function currentVsTarget(
  first: RunRecord,
  last: RunRecord,
  targets: Record<string, number> | null,
  pages?: PageBudgets,
): TargetRow[] {
  if (last.kind === 'job' && last.job) return jobTargetRows(first, last, targets);
  if (last.kind === 'page' && last.page) return pageTargetRows(first, last, pages);
  const t = targets ?? {};
  const rows: TargetRow[] = [];
  const add = (
    metric: string,
    target: number | undefined,
    get: (r: RunRecord) => number | null | undefined,
    unit: TargetRow['unit'],
    higherIsBetter: boolean,
    always: boolean,
  ) => {
    if (target === undefined && !always) return;
    const current = get(last) ?? null;
    rows.push({
      metric,
      baseline: get(first) ?? null,
      current,
      target: target ?? null,
      met:
        target === undefined || current === null
          ? null
          : higherIsBetter
            ? current >= target
            : current <= target,
      unit,
    });
  };
  add('p50 latency', t.p50_latency_ms, (r) => r.metrics.http_req_duration.p50, 'ms', false, false);
  add(
    'p95 latency',
    t.p95_latency_ms ?? DEFAULT_P95_TARGET_MS,
    (r) => r.metrics.http_req_duration.p95,
    'ms',
    false,
    true,
  );
  add('p99 latency', t.p99_latency_ms, (r) => r.metrics.http_req_duration.p99, 'ms', false, false);
  add('Throughput', t.throughput_rps, (r) => r.metrics.http_reqs.rate, 'req/s', true, true);
  add('Memory', t.memory_mb, (r) => r.metrics.memory?.rssMaxMb, 'MB', false, true);
  add(
    'Error rate',
    t.error_rate === undefined ? undefined : t.error_rate * 100,
    (r) => r.metrics.http_req_failed.rate * 100,
    '%',
    false,
    false,
  );
  return rows;
}

export function currentVsTargetTable(rows: readonly TargetRow[]): string {
  const f = (x: number | null, unit: TargetRow['unit']) =>
    x === null
      ? '–'
      : unit === 'ms'
        ? fmtMs(x)
        : unit === 'req/s'
          ? `${fmtNum(x, 0)} req/s`
          : unit === 'MB'
            ? `${fmtNum(x, 0)}MB`
            : unit === 'score'
              ? fmtNum(x, 3)
              : fmtPct(x, 2);
  return mdTable(
    ['Metric', 'Baseline', 'Current', 'Target', 'Status'],
    rows.map((r) => [
      r.metric,
      f(r.baseline, r.unit),
      f(r.current, r.unit),
      f(r.target, r.unit),
      r.met === null ? '–' : r.met ? '✅' : '❌',
    ]),
  );
}
