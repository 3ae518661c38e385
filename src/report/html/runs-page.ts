import type { RunListItem } from '../../store/run-store.js';
import { COLORS } from './chart-spec.js';
import { esc, htmlTable, type PageSpec } from './layout.js';
import { linkTo, type PageLinks } from './links.js';
import { fmtMs, fmtNum, fmtPct } from '../markdown.js';
import { sparklineSvg } from './sparkline.js';

export type ListedRun = RunListItem & { gitBranch: string | null };

export interface RunsPageInput {
  filter: { label?: string; branch?: string; from?: string; to?: string };
  /** Each scenario with its newest runs (newest first) for the sparklines. */
  scenarios: { id: string; description: string; runs: number; recent: ListedRun[] }[];
  page: { runs: ListedRun[]; total: number; offset: number; limit: number };
  /** The query string for another page number (the filters kept). */
  pageHref(offset: number): string;
}

/** The Runs page: scenarios as rows of sparklines (p95, req/s, errors), filters, then every run newest first. */
export function runsPage(input: RunsPageInput, links: PageLinks): PageSpec {
  const f = input.filter;
  const out: string[] = ['<h1>Runs</h1>'];
  out.push(`<form class="filters" method="get" action="${esc(links.root ?? '')}">
<label>label contains<input name="label" value="${esc(f.label ?? '')}"></label>
<label>branch<input name="branch" value="${esc(f.branch ?? '')}"></label>
<label>from (UTC date)<input name="from" type="date" value="${esc(f.from ?? '')}"></label>
<label>to<input name="to" type="date" value="${esc(f.to ?? '')}"></label>
<button type="submit">filter</button> <a href="${esc(links.root ?? '')}">clear</a></form>`);
  out.push(`<h2>Scenarios (${input.scenarios.length})</h2>`);
  if (input.scenarios.length === 0) out.push('<p>No runs match. Store runs with <code>perfloop run</code> or <code>perfloop demo</code>.</p>');
  for (const s of input.scenarios) {
    const old = [...s.recent].reverse();
    const latest = s.recent[0];
    out.push(`<div class="scenario"><div class="name">${linkTo(links.scenario(s.id), `<b>${esc(s.description || s.id || 'runs without a scenario')}</b>`)}<div class="small">${esc(s.runs)} runs · latest ${esc(latest?.label || latest?.id)}</div></div>
<div class="spark">p95 ${esc(fmtMs(latest?.p95Ms))}${sparklineSvg(old.map((r) => r.p95Ms), COLORS.p95, 'p95')}</div>
<div class="spark">req/s ${esc(fmtNum(latest?.rps, 0))}${sparklineSvg(old.map((r) => r.rps), COLORS.rps, 'req/s')}</div>
<div class="spark">errors ${esc(fmtPct(latest?.errorRate === null || latest?.errorRate === undefined ? null : latest.errorRate * 100, 2))}${sparklineSvg(old.map((r) => r.errorRate), COLORS.errors, 'errors')}</div></div>`);
  }
  const { runs, total, offset, limit } = input.page;
  out.push(`<h2>All runs (${esc(total)})</h2>`);
  // The run before each one in the same scenario, on this page: what "compare with previous" links to.
  const previous = new Map<string, string>();
  for (let i = 0; i < runs.length; i++) {
    const prev = runs.slice(i + 1).find((x) => x.scenario.id === runs[i].scenario.id);
    if (prev) previous.set(runs[i].id, prev.id);
  }
  out.push(
    htmlTable(
      ['Run', 'Time (UTC)', 'Label', 'Branch', 'Commit', 'Scenario', 'p95', 'req/s', 'Errors', 'Findings', ''],
      runs.map((r) => [
        linkTo(links.run(r.id), `<code>${esc(r.id)}</code>`),
        esc(r.startedAt.replace('T', ' ').slice(0, 19)),
        esc(r.label || '–'),
        esc(r.gitBranch),
        r.gitSha ? `<code>${esc(r.gitSha.slice(0, 10))}</code>` : '–',
        linkTo(links.scenario(r.scenario.id), esc(r.scenario.description.slice(0, 60) || r.scenario.id.slice(0, 8))),
        esc(fmtMs(r.p95Ms)),
        esc(fmtNum(r.rps, 0)),
        esc(r.errorRate === null ? '–' : fmtPct(r.errorRate * 100, 2)),
        esc(r.findings),
        previous.has(r.id) ? linkTo(links.compare(previous.get(r.id)!, r.id), 'compare with previous') : '',
      ]),
    ),
  );
  const pager: string[] = [];
  if (offset > 0) pager.push(`<a href="${esc(input.pageHref(Math.max(0, offset - limit)))}">← newer</a>`);
  pager.push(`<span>${esc(total === 0 ? 0 : offset + 1)}–${esc(Math.min(total, offset + limit))} of ${esc(total)}</span>`);
  if (offset + limit < total) pager.push(`<a href="${esc(input.pageHref(offset + limit))}">older →</a>`);
  out.push(`<p class="pager">${pager.join(' ')}</p>`);
  return { title: 'runs', body: out.join('\n') };
}
