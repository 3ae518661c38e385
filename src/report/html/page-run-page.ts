import type { RunRecord } from '../../core/run.js';
import { esc, htmlTable, type PageSpec } from './layout.js';
import type { PageLinks } from './links.js';
import { pageRunHtml } from './page-run.js';

/**
 * The dashboard's page for a page run (`perfloop page`): per page its timings, the representative run's waterfall
 * and filmstrip (frames are the run's artifacts), long tasks, the browser's CPU top, and links to both flame
 * graphs (the page's and, with --target, the server's).
 */
export function pageRunPage(r: RunRecord, links: PageLinks, header: string): PageSpec {
  const id = r.run.id;
  const out = [`<h1>${esc(r.run.label || r.run.scenario.name || id)}</h1>`, header];
  out.push(`<p>${esc(r.measurement.load)} · profiler: ${esc(r.measurement.profiler ?? 'none')}</p>`, `<pre>${esc(r.measurement.command)}</pre>`);
  (r.page?.pages ?? []).forEach((p, i) => {
    const files = new Map(p.filmstrip.map((f) => [f.artifact, f]));
    out.push(
      pageRunHtml(
        { summary: p, waterfall: p.waterfall, filmstrip: p.filmstrip.map((f) => ({ t: f.t, file: f.artifact })) },
        {
          frame: (artifact) => (files.has(artifact) ? links.artifact(id, artifact) : null),
          flame: links.artifact(id, `p${i + 1}-flame`),
          serverFlame: links.artifact(id, 'server-flame'),
        },
      ),
    );
  });
  const server = r.page?.server;
  if (server?.top.length)
    out.push('<h2>Server CPU during the page loads</h2>', htmlTable(['Function', 'Self %', 'Total %'], server.top.slice(0, 10).map((t) => [`<code>${esc(t.name)}</code>`, esc(t.selfPct), esc(t.totalPct)])));
  if (r.warnings.length) out.push('<h2>Warnings</h2>', `<ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  return { title: `page run ${r.run.label || id}`, body: out.join('\n'), data: { charts: [] } };
}
