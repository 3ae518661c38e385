import type { RunRecord } from '../../core/run.js';
import { apdexOf } from '../../gate/apdex.js';
import { compareRuns } from '../../gate/compare/compare-runs.js';
import type { Verdict } from '../../gate/stats/verdict.js';
import { fmtMs, fmtNum, fmtPct } from '../markdown.js';
import { COLORS, VERDICT_COLORS, type ChartSpec } from './chart-spec.js';
import { chartDiv, esc, htmlTable, type PageSpec } from './layout.js';
import { linkTo, type PageLinks } from './links.js';
import { runName } from './run-page.js';

/** Each run's p95 verdict against the run before it in the scenario (the first has none: unknown). */
export function verdictsAgainstPrevious(runs: readonly RunRecord[]): Verdict[] {
  return runs.map((r, i) => {
    if (i === 0) return 'unknown';
    // Fewer resamples than `perfloop compare`: a trend page judges many pairs; the verdict needs no fine CI.
    return compareRuns(runs[i - 1], r, { metrics: ['p95_latency_ms'], resamples: 200 })[0]?.verdict ?? 'unknown';
  });
}

/** The tick text of a run on a trend axis: short commit and label. */
const tick = (r: RunRecord) => {
  const text = [r.run.gitSha?.slice(0, 7), r.run.label].filter(Boolean).join(' ') || r.run.id.slice(-6);
  return text.length > 18 ? `${text.slice(0, 17)}…` : text;
};

/** Trend charts across runs (oldest first): latency with budget lines and verdict marks, throughput, errors, CPU, RSS, Apdex. */
export function trendCharts(runs: readonly RunRecord[], verdicts: readonly Verdict[] = verdictsAgainstPrevious(runs)): ChartSpec[] {
  const x = runs.map((_, i) => i);
  const xLabels = runs.map(tick);
  const budget = runs.at(-1)?.budget ?? null;
  const marks = verdicts.map((v, i) => ({ x: i, label: i === 0 ? '' : v, color: VERDICT_COLORS[v] })).filter((m) => m.label);
  const apdex = runs.map((r) => apdexOf(r));
  const line = (name: string, color: string, values: (number | null)[]) => ({ name, color, values });
  const budgets = (name: string, label: string) => (budget && budget[name] !== undefined ? [{ value: budget[name], label }] : []);
  const charts: ChartSpec[] = [
    {
      id: 'trend-latency',
      title: 'Latency (p50 / p95 / p99)',
      unit: 'ms',
      x,
      xLabels,
      series: [
        line('p50', COLORS.p50, runs.map((r) => r.metrics.http_req_duration.p50)),
        line('p95', COLORS.p95, runs.map((r) => r.metrics.http_req_duration.p95)),
        line('p99', COLORS.p99, runs.map((r) => r.metrics.http_req_duration.p99)),
      ],
      marks,
      budgets: [...budgets('p95_latency_ms', 'p95 budget'), ...budgets('p99_latency_ms', 'p99 budget')],
    },
    { id: 'trend-rps', title: 'Throughput', unit: 'req/s', x, xLabels, series: [line('req/s', COLORS.rps, runs.map((r) => r.metrics.http_reqs.rate))], budgets: budgets('throughput_rps', 'budget') },
    { id: 'trend-errors', title: 'Error rate', unit: '%', x, xLabels, series: [line('errors', COLORS.errors, runs.map((r) => r.metrics.http_req_failed.rate * 100))] },
    { id: 'trend-cpu', title: 'Target CPU (mean)', unit: '%', x, xLabels, series: [line('CPU', COLORS.cpu, runs.map((r) => r.metrics.cpu?.meanPct ?? null))], budgets: budgets('cpu_pct', 'budget') },
    { id: 'trend-rss', title: 'Target RSS (max)', unit: 'MB', x, xLabels, series: [line('RSS', COLORS.rss, runs.map((r) => r.metrics.memory?.rssMaxMb ?? null))], budgets: budgets('memory_mb', 'budget') },
    { id: 'trend-apdex', title: 'Apdex', unit: 'score', x, xLabels, series: [line('Apdex', COLORS.rps, apdex.map((a) => a?.score ?? null))] },
  ];
  return charts;
}

/** The Scenario page: trends across its runs with budget lines and each run's verdict against the one before. */
export function scenarioPage(scenario: { id: string; description: string }, runs: readonly RunRecord[], links: PageLinks): PageSpec {
  const verdicts = verdictsAgainstPrevious(runs);
  const charts = trendCharts(runs, verdicts);
  const apdex = runs.map((r) => apdexOf(r));
  const rows = runs
    .map((r, i) => [
      linkTo(links.run(r.run.id), `<code>${esc(r.run.id)}</code>`),
      esc(r.run.label || '–'),
      r.run.gitSha ? `<code>${esc(r.run.gitSha.slice(0, 10))}</code>` : '–',
      esc(fmtMs(r.metrics.http_req_duration.p95)),
      esc(fmtNum(r.metrics.http_reqs.rate, 0)),
      esc(fmtPct(r.metrics.http_req_failed.rate * 100, 2)),
      esc(apdex[i]?.score),
      i === 0 ? '–' : linkTo(links.compare(runs[i - 1].run.id, r.run.id), esc(verdicts[i]), ` class="v-${esc(verdicts[i])}"`),
    ])
    .reverse();
  const body = [
    `<h1>Scenario: ${esc(scenario.description || scenario.id)}</h1>`,
    `<p class="meta">scenario <code>${esc(scenario.id)}</code> · ${esc(runs.length)} runs shown, oldest left · latest ${esc(runs.at(-1) ? runName(runs.at(-1)!) : '–')}</p>`,
    `<div class="charts">${charts.map(chartDiv).join('')}</div>`,
    '<h2>Runs (p95 verdict against the run before)</h2>',
    htmlTable(['Run', 'Label', 'Commit', 'p95', 'req/s', 'Errors', 'Apdex', 'Verdict'], rows),
  ].join('\n');
  return { title: `scenario ${scenario.description || scenario.id}`, body, data: { charts } };
}
