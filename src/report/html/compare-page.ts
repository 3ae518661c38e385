import type { Finding } from '../../core/finding.js';
import type { RunRecord } from '../../core/run.js';
import type { ComparisonDocument } from '../../gate/compare/compare-runs.js';
import { fmtChange, fmtCi, fmtP, fmtValue, fmtVerdict } from '../comparison.js';
import { findingSubject } from '../resolved-findings.js';
import { COLORS, type ChartSpec } from './chart-spec.js';
import { chartDiv, esc, htmlTable, type PageSpec } from './layout.js';
import type { PageLinks } from './links.js';
import { planChanges } from './plan-diffs.js';
import { latencySeries } from './run-charts.js';
import { findingHtml, runHeader, runName } from './run-page.js';

const identity = (f: Finding) => `${f.rule}\u0000${findingSubject(f) ?? f.title}`;

/** Findings of two runs split into gone (only before), new (only after) and still there (both). */
export function findingChanges(before: RunRecord, after: RunRecord): { gone: Finding[]; added: Finding[]; still: Finding[] } {
  const b = new Set(before.findings.map(identity));
  const a = new Set(after.findings.map(identity));
  return {
    gone: before.findings.filter((f) => !a.has(identity(f))),
    added: after.findings.filter((f) => !b.has(identity(f))),
    still: after.findings.filter((f) => b.has(identity(f))),
  };
}

/** Two runs' per-second series on one chart each: before dashed grey, after blue. */
function overlaidCharts(before: RunRecord, after: RunRecord): ChartSpec[] {
  const lb = latencySeries(before);
  const la = latencySeries(after);
  // Seconds since each run's start: the load charts span the measured window, the resource charts the timeline.
  const seconds = (len: number) => Array.from({ length: len }, (_, i) => i);
  const x = seconds(Math.max(before.intervals.length, after.intervals.length));
  const xt = seconds(Math.max(before.timeline.length, after.timeline.length));
  const pair = (name: string, b: readonly (number | null)[], a: readonly (number | null)[], xs = x) => [
    { name: `${name} before`, color: COLORS.before, values: xs.map((i) => b[i] ?? null), dash: true },
    { name: `${name} after`, color: COLORS.after, values: xs.map((i) => a[i] ?? null) },
  ];
  const charts: ChartSpec[] = [
    { id: 'cmp-p95', title: 'p95 latency per second', unit: 'ms', x, series: pair('p95', lb.p95, la.p95) },
    { id: 'cmp-p50', title: 'p50 latency per second', unit: 'ms', x, series: pair('p50', lb.p50, la.p50) },
    { id: 'cmp-rps', title: 'Throughput', unit: 'req/s', x, series: pair('req/s', before.intervals.map((i) => i.count), after.intervals.map((i) => i.count)) },
  ];
  if (before.timeline.length || after.timeline.length) {
    charts.push({ id: 'cmp-cpu', title: 'Target CPU', unit: '%', x: xt, series: pair('CPU', before.timeline.map((p) => p.cpuPct), after.timeline.map((p) => p.cpuPct), xt) });
    charts.push({ id: 'cmp-rss', title: 'Target RSS', unit: 'MB', x: xt, series: pair('RSS', before.timeline.map((p) => p.rssMb), after.timeline.map((p) => p.rssMb), xt) });
  }
  return charts;
}

const findingList = (title: string, list: readonly Finding[]) =>
  `<h3>${esc(title)} (${list.length})</h3>${list.length ? list.map(findingHtml).join('') : '<p class="small">none</p>'}`;

/** The Compare page: verdict table with confidence intervals, overlaid charts, finding changes, diff flame graph. */
export function comparePage(before: RunRecord, after: RunRecord, doc: ComparisonDocument, links: PageLinks): PageSpec {
  const charts = overlaidCharts(before, after);
  const changes = findingChanges(before, after);
  const ap = (x: ComparisonDocument['before']['apdex']) => (x ? `${x.score} (${x.rating})` : '–');
  const out: string[] = [
    `<h1>Compare: ${esc(runName(before))} → ${esc(runName(after))}</h1>`,
    `<div class="side"><div><h3>Before: ${esc(runName(before))}</h3>${runHeader(before, links)}<p class="small">${esc(doc.before.source)}</p></div><div><h3>After: ${esc(runName(after))}</h3>${runHeader(after, links)}<p class="small">${esc(doc.after.source)}</p></div></div>`,
    '<h2>Verdicts</h2>',
    htmlTable(
      ['Metric', 'Before', 'After', 'Change', 'CI', 'p', 'Verdict'],
      doc.metrics.map((m) => [
        esc(m.label),
        esc(fmtValue(m.before, m.unit)),
        esc(fmtValue(m.after, m.unit)),
        esc(fmtChange(m.changePct)),
        esc(fmtCi(m.ci)),
        esc(fmtP(m.pValue)),
        `<span class="v-${esc(m.verdict)}" title="${esc(m.note)}">${esc(fmtVerdict(m, false))}</span>`,
      ]),
    ),
    `<p>Apdex (T=${esc(doc.options.apdexTMs)} ms): ${esc(ap(doc.before.apdex))} → ${esc(ap(doc.after.apdex))} · units: ${esc(doc.metrics[0]?.sampleUnit ?? '–')}, minimum effect ${esc(doc.options.minEffectPct)} %, α ${esc(doc.options.alpha)}</p>`,
  ];
  if (!doc.scenario.same) out.push(`<p class="sev-high">Different scenarios: ${esc(doc.scenario.differences.join('; '))}</p>`);
  if (doc.warnings.length) out.push(`<ul>${doc.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  out.push('<h2>Over the run</h2>', `<div class="charts">${charts.map(chartDiv).join('')}</div>`);
  out.push('<h2>Findings</h2>', findingList('Gone', changes.gone), findingList('New', changes.added), findingList('Still there', changes.still));
  const plans = planChanges(before, after);
  out.push('<h2>Plans that changed</h2>');
  if (plans.length === 0) out.push('<p class="small">No statement explained in both runs changed its plan.</p>');
  for (const p of plans) out.push(`<h3>${esc(p.query.length > 200 ? `${p.query.slice(0, 199)}…` : p.query)}</h3><pre>${esc(p.text)}</pre>`);
  const diff = links.flameDiff?.(before.run.id, after.run.id);
  if (diff && before.artifacts.profile && after.artifacts.profile)
    out.push('<h2>Differential flame graph</h2>', `<p class="small">Red: grew after the change; blue: shrank. <a href="${esc(diff)}">open on its own</a></p><iframe class="flame" title="differential flame graph" src="${esc(diff)}"></iframe>`);
  return { title: `compare ${runName(before)} → ${runName(after)}`, body: out.join('\n'), data: { charts } };
}
