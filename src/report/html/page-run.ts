import type { FilmstripFrame, PageRequest, PageSummary } from '../../page/types.js';
import { TIMING_NAMES } from '../../page/types.js';
import { esc, htmlTable } from './layout.js';

/** Everything a page run's view draws: its summary, the representative run's waterfall and filmstrip. */
export interface PageRunView {
  /** A stored record's page has no `perRun` (it keeps every load's timings as `timings`). */
  summary: Omit<PageSummary, 'perRun'>;
  waterfall: PageRequest[];
  filmstrip: FilmstripFrame[];
}

export interface PageRunLinks {
  /** Where a filmstrip frame's image is (a data: URI in a standalone file, an artifact URL on the dashboard). */
  frame(file: string): string | null;
  /** The page's flame graph (browser CPU), and the server's when --target profiled it. */
  flame: string | null;
  serverFlame?: string | null;
}

const fmt = (x: number | null, unit = ' ms') => (x === null ? '–' : `${x}${unit}`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Already-escaped HTML for one measured page: timings, waterfall, filmstrip, long tasks, CPU top, flame links. */
export function pageRunHtml(v: PageRunView, links: PageRunLinks): string {
  const s = v.summary;
  const out: string[] = [`<h2>${esc(s.url)}</h2>`];
  out.push(
    `<p class="small">${esc(s.runs)} runs, ${esc(s.cache)} cache; representative run #${esc(s.representativeRun + 1)} (closest to the median ${esc(s.headlineMetric)})</p>`,
    htmlTable(
      ['Metric', 'p50', 'p95'],
      TIMING_NAMES.map((n) => [esc(n), esc(fmt(s.metrics[n].p50, n === 'cls' ? '' : ' ms')), esc(fmt(s.metrics[n].p95, n === 'cls' ? '' : ' ms'))]),
    ),
  );
  out.push('<h3>Waterfall</h3>', waterfallHtml(v.waterfall));
  if (v.filmstrip.length) {
    out.push(
      '<h3>Filmstrip</h3>',
      `<div class="filmstrip" style="display:flex;gap:6px;overflow-x:auto">${v.filmstrip
        .map((f) => {
          const src = links.frame(f.file);
          return `<figure style="margin:0">${src ? `<img src="${esc(src)}" alt="frame at ${esc(f.t)} ms" style="height:120px">` : ''}<figcaption class="small">${esc(f.t)} ms</figcaption></figure>`;
        })
        .join('')}</div>`,
    );
  }
  if (s.longTasks.length)
    out.push(
      '<h3>Long tasks</h3>',
      htmlTable(['Start', 'Duration', 'Function'], s.longTasks.map((t) => [esc(fmt(t.startMs)), esc(fmt(t.durationMs)), `<code>${esc(t.topFunction)}</code>`])),
    );
  if (s.cpu)
    out.push(
      '<h3>Browser CPU (the page’s JavaScript)</h3>',
      htmlTable(['Function', 'Self %', 'Total %'], s.cpu.top.slice(0, 10).map((t) => [`<code>${esc(t.name)}</code> <span class="small">${esc(t.file ?? '')}${t.line ? `:${esc(t.line)}` : ''}</span>`, esc(t.selfPct), esc(t.totalPct)])),
    );
  if (s.profiledLoad)
    out.push(
      `<p class="small">Filmstrip, long tasks and CPU profile come from one extra load with the profiler on (load ${esc(fmt(s.profiledLoad.load_ms))}, FCP ${esc(fmt(s.profiledLoad.fcp_ms))}); the profiler slows a load, so its timings are not in the statistics.</p>`,
    );
  const flames = [links.flame && `<a href="${esc(links.flame)}">browser flame graph</a>`, links.serverFlame && `<a href="${esc(links.serverFlame)}">server flame graph</a>`].filter(Boolean);
  if (flames.length) out.push(`<p>${flames.join(' · ')}</p>`);
  if (s.errors.length) out.push('<h3>Page errors</h3>', `<ul>${s.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`);
  return out.join('\n');
}

/** One row per request: a bar from its start to its end on the page's time axis (widths as percentages). */
export function waterfallHtml(requests: readonly PageRequest[]): string {
  if (requests.length === 0) return '<p>No requests recorded.</p>';
  const end = Math.max(1, ...requests.map((r) => r.startMs + r.durationMs));
  const pct = (x: number) => Math.max(0, Math.min(100, (x / end) * 100)).toFixed(2);
  const rows = requests.map((r) => [
    `<code title="${esc(r.url)}">${esc(shortUrl(r.url))}</code>`,
    esc(r.type),
    esc(r.failed ?? r.status),
    esc(kb(r.bytes)),
    esc(fmt(r.durationMs)),
    `<div class="wf" style="position:relative;width:320px;height:10px;background:#eee"><div style="position:absolute;left:${pct(r.startMs)}%;width:${Math.max(0.5, Number(pct(r.durationMs))).toFixed(2)}%;height:10px;background:${r.failed ? '#c33' : '#4a7bd0'}"></div></div>`,
  ]);
  return htmlTable(['Request', 'Type', 'Status', 'Size', 'Time', `0 – ${Math.round(end)} ms`], rows, 'waterfall');
}

function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}
