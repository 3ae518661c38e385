import type { RunRecord } from '../../core/run.js';
import { chartDiv, esc, renderPage } from './layout.js';
import { markdownHtml } from './markdown-html.js';
import { trendCharts } from './scenario-page.js';

/**
 * `summary.html` of `perfloop demo`, beside summary.md: the iterations as trend charts (each fix marked with its
 * verdict against the run before), then summary.md itself rendered (iteration log, before/after, approval
 * gate) — one source for both, so they say the same. Self-contained like report.html.
 */
export function demoSummaryHtml(runs: readonly RunRecord[], summaryMarkdown: string): string {
  const charts = trendCharts(runs);
  // The Markdown links to each run's report.md; in the HTML summary the charts page is the better target.
  const md = markdownHtml(summaryMarkdown.replace(/\]\(([^)\s]+)\/report\.md\)/g, ']($1/report.html)'));
  const body = [
    '<h1>perfloop demo: the optimization loop, iteration by iteration</h1>',
    `<p class="meta">${esc(runs.length)} runs, baseline first; each mark is that fix’s p95 verdict against the run before.</p>`,
    `<div class="charts">${charts.map(chartDiv).join('')}</div>`,
    `<section class="md">${md}</section>`,
  ].join('\n');
  return renderPage({ title: 'demo summary', body, data: { charts }, nav: '' }, { kind: 'inline' });
}
