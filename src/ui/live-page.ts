import { chartDiv, esc, type PageSpec } from '../report/html/layout.js';
import type { LiveHub } from './live.js';

const STATS: [string, string][] = [
  ['state', 'state'],
  ['elapsed', 'elapsed'],
  ['vus', 'VUs'],
  ['rps', 'req/s'],
  ['p95', 'p95'],
  ['p99', 'p99'],
  ['requests', 'requests'],
  ['errors', 'errors'],
  ['thresholds', 'thresholds'],
  ['cpu', 'target CPU'],
  ['rss', 'target RSS'],
];

/** The Live page: the newest running test, refreshed each second from GET /api/live. */
export function livePage(hub: LiveHub): PageSpec {
  const view = hub.view();
  const body = [
    `<h1>Live: <span data-live="title">${esc(view.text.title ?? '')}</span></h1>`,
    `<div>${STATS.map(([k, label]) => `<span class="stat">${esc(label)}<b data-live="${esc(k)}">${esc(view.text[k] ?? '–')}</b></span>`).join('')}</div>`,
    `<div class="charts">${view.charts.map(chartDiv).join('')}</div>`,
  ].join('\n');
  return { title: 'live', body, data: { charts: view.charts, live: { url: '/api/live' } } };
}
