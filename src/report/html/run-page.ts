import { rankFindings, type Finding } from '../../core/finding.js';
import type { RunRecord } from '../../core/run.js';
import { apdexOf } from '../../gate/apdex.js';
import { fmtMs, fmtNum, fmtPct } from '../markdown.js';
import { baselineRows } from '../run-markdown.js';
import { symptoms } from '../symptoms.js';
import { endpointCpuNote, endpointTable } from '../endpoint-table.js';
import { chartDiv, esc, htmlTable, type PageSpec } from './layout.js';
import { linkTo, type PageLinks } from './links.js';
import { markdownHtml } from './markdown-html.js';
import { pageRunPage } from './page-run-page.js';
import { runCharts } from './run-charts.js';
import { jobPage } from './job-page.js';

const short = (sha: string | null) => (sha ? sha.slice(0, 10) : null);

/** A run's name on pages: its label, else its target. */
export const runName = (r: RunRecord) => r.run.label || r.run.target || r.run.id;

export function runHeader(r: RunRecord, links: PageLinks): string {
  const i = r.run;
  return `<p class="meta">Run ${linkTo(links.run(i.id), `<code>${esc(i.id)}</code>`)} · ${esc(i.startedAt.replace('T', ' ').slice(0, 19))} UTC · ${esc(i.durationS)} s · target <code>${esc(i.target)}</code>${i.gitSha ? ` · commit <code>${esc(short(i.gitSha))}</code>${i.gitDirty ? ' (dirty)' : ''}` : ''}${i.gitBranch ? ` · branch <code>${esc(i.gitBranch)}</code>` : ''} · scenario ${linkTo(links.scenario(i.scenario.id), esc(i.scenario.name ?? i.scenario.description))}</p>`;
}

function evidenceValue(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'object') return JSON.stringify(v, null, 1);
  return String(v);
}

/** One finding: what, its evidence (every number the rule saw), the recommended technique, the impact. */
export function findingHtml(f: Finding): string {
  const ev = Object.entries(f.evidence)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(evidenceValue(v))}</dd>`)
    .join('');
  return `<div class="finding"><div><span class="sev-${esc(f.severity)}">${esc(f.severity)}</span> · <code>${esc(f.rule)}</code> · est. impact ${esc(fmtPct(f.estimatedImpact.pct))} <span class="small">(${esc(f.estimatedImpact.basis)})</span></div>
<div><b>${esc(f.title)}</b></div><div>Recommended: ${esc(f.recommendation)}</div><details><summary>evidence</summary><dl>${ev}</dl></details></div>`;
}

function artifactsHtml(r: RunRecord, links: PageLinks): string {
  const items = Object.entries(r.artifacts).map(([name, rel]) => {
    const href = links.artifact(r.run.id, name);
    return href ? `<a href="${esc(href)}">${esc(name)}</a> <span class="small">${esc(rel)}</span>` : `${esc(name)} <span class="small">${esc(rel)} (not available here)</span>`;
  });
  return items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '<p>none</p>';
}

/** The Run page: everything report.md has, rendered, with per-second charts and the embedded flame graph. */
export function runPage(r: RunRecord, links: PageLinks): PageSpec {
  if (r.kind === 'job' && r.job) return jobPage(r, links);
  if (r.kind === 'page' && r.page) return pageRunPage(r, links, runHeader(r, links));
  const m = r.metrics;
  const charts = runCharts(r);
  const apdex = apdexOf(r);
  const ranked = rankFindings(r.findings);
  const out: string[] = [];
  out.push(`<h1>${esc(runName(r))}</h1>`, runHeader(r, links));
  out.push(
    `<div>${[
      ['p95', fmtMs(m.http_req_duration.p95)],
      ['req/s', fmtNum(m.http_reqs.rate, 0)],
      ['errors', fmtPct(m.http_req_failed.rate * 100, 2)],
      ['Apdex', apdex ? `${apdex.score} (${apdex.rating})` : '–'],
      ['findings', String(r.findings.length)],
    ]
      .map(([k, v]) => `<span class="stat">${esc(k)}<b>${esc(v)}</b></span>`)
      .join('')}</div>`,
  );
  out.push('<h2>Current Performance Baseline</h2>', htmlTable(['Metric', 'Current', 'Target', 'Gap'], baselineRows(r).map((row) => row.map(esc))));
  if (!r.budget) out.push('<p class="small">No budget given: the p95 target is the method’s default API budget.</p>');
  out.push('<h2>Measurement Method</h2>', `<pre>${esc(r.measurement.command)}</pre>`, `<p>Load: ${esc(r.measurement.load)} · ${esc(m.http_reqs.count)} requests, ${esc(m.http_req_failed.count)} failed · profiler: ${esc(r.measurement.profiler ?? 'none')}</p>`);
  if (r.http) out.push(`<p class="small">HTTP: the service answered HTTP/${esc(r.http.version)}.</p>`);
  if (r.host) out.push(`<p class="small">Host during the window: other processes ${esc(r.host.otherCpuPct)} % of a core, steal ${esc(r.host.stealPct)} %, load average ${esc(r.host.loadAvg1)}, load generator ${esc(r.host.generatorCpuPct)} %.</p>`);
  out.push('<h2>Symptoms Observed</h2>', `<ul>${symptoms(r).map((s) => `<li>${s.observed ? '☒' : '☐'} ${esc(s.name)} <span class="small">(${esc(s.evidence)})</span></li>`).join('')}</ul>`);
  out.push('<h2>Over the run</h2>', `<div class="charts">${charts.map(chartDiv).join('')}</div>`);
  out.push(`<h2>Findings (${ranked.length})</h2>`, ranked.length ? ranked.map(findingHtml).join('') : '<p>No finding above the thresholds.</p>');
  const endpointTables = endpointTable(r.endpoints);
  if (r.endpoints.length > 0)
    out.push(
      '<h2>Endpoints</h2>',
      htmlTable(endpointTables.headers, endpointTables.rows.map(([name, ...rest]) => [`<code>${esc(name)}</code>`, ...rest.map(esc)])),
      ...(endpointCpuNote(r.endpoints) ? [`<p class="small">${esc(endpointCpuNote(r.endpoints))}</p>`] : []),
    );
  if (r.profile) {
    out.push(
      '<h2>Flame Graph Analysis</h2>',
      htmlTable(
        ['Function', 'Self %', 'Total %', 'Category', 'Action'],
        r.profile.top.slice(0, 10).map((t) => [
          `<code>${esc(t.name)}</code>${t.file ? ` <span class="small">${esc(t.file.split('/').slice(-2).join('/'))}${t.line ? `:${esc(t.line)}` : ''}</span>` : ''}`,
          esc(fmtPct(t.selfPct)),
          esc(fmtPct(t.totalPct)),
          esc(t.category),
          esc(t.action),
        ]),
      ),
    );
    const flame = links.artifact(r.run.id, 'flame');
    if (flame) out.push(`<p><a href="${esc(flame)}">open the flame graph on its own</a></p><iframe class="flame" title="CPU flame graph" src="${esc(flame)}"></iframe>`);
  }
  if (r.database) out.push(`<section class="md">${markdownHtml(r.database.markdown)}</section>`);
  else if (r.queries?.length)
    out.push(
      '<h2>Database</h2>',
      htmlTable(['Query', 'Calls', 'Total', 'Mean', 'p95', 'Rows'], r.queries.slice(0, 10).map((q) => [`<code>${esc(q.query)}</code>`, esc(q.calls), esc(fmtMs(q.totalMs)), esc(fmtMs(q.meanMs)), esc(fmtMs(q.p95Ms)), esc(q.rows)])),
    );
  if (r.heap) out.push('<h2>Memory Analysis</h2>', `<section class="md">${markdownHtml(r.heap.tablesMarkdown)}</section>`);
  if (r.warnings.length) out.push('<h2>Warnings</h2>', `<ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  out.push('<h2>Artifacts</h2>', artifactsHtml(r, links));
  return { title: `run ${runName(r)}`, body: out.join('\n'), data: { charts } };
}
