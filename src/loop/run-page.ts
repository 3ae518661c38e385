import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunId } from '../core/run.js';
import { analyseProfile } from '../profile/analyse/index.js';
import { flameData, frameCategories } from '../profile/render/flame-data.js';
import { flameHtml } from '../profile/render/flame-html.js';
import { launchChromium } from '../page/chromium.js';
import { measurePage, type MeasuredPage } from '../page/measure-page.js';
import type { Throttling } from '../page/throttling.js';
import { PAGE_SCHEMA, type PageSummary } from '../page/types.js';
import { esc, renderPage } from '../report/html/layout.js';
import { pageRunHtml } from '../report/html/page-run.js';
import { pointLink } from '../store/artifacts.js';
import type { ReadyCheck } from '../target/types.js';
import { openStore } from '../store/open-store.js';
import type { RunRecord } from '../core/run.js';
import { pageRunRecord } from './page-record.js';
import { PageServer } from './page-server.js';

export interface RunPagesOptions {
  urls: string[];
  runs: number;
  cache: 'cold' | 'warm';
  throttling: Throttling | null;
  /** Start (and profile) the server first, as `perfloop run --target` does. */
  target?: { command: string; ready: ReadyCheck; readyTimeoutMs?: number };
  outDir: string;
  cwd: string;
  /** The iteration's change, as for service runs. */
  label?: string;
  /** The command line that reproduces the run. */
  command?: string;
  /** A SQLite path or postgres:// URL; null: do not store. */
  storePath?: string | null;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** The `--json` document (perfloop/page@1), and what the run wrote. */
export interface PageReport {
  schema: typeof PAGE_SCHEMA;
  id: string;
  startedAt: string;
  pages: PageSummary[];
  /** The server side of the same page loads (with --target and a Node server): top functions of its CPU profile. */
  server: { top: { name: string; file: string | null; selfPct: number; totalPct: number }[]; flame: string } | null;
  warnings: string[];
  /** The run folder. */
  dir: string;
}

/**
 * `perfloop page`, as the method's steps: start the server (when asked), launch Chromium, load every page N
 * times with the page's own profiler on, keep each page's representative run, stop, write the report.
 */
export async function runPages(o: RunPagesOptions): Promise<{ report: PageReport; measured: MeasuredPage[]; record: RunRecord }> {
  const id = newRunId();
  const dir = join(o.outDir, id);
  mkdirSync(dir, { recursive: true });
  const startedAt = new Date().toISOString();
  const server = o.target ? await PageServer.start({ ...o.target, cwd: o.cwd, signal: o.signal, log: o.log }) : null;
  const measured: MeasuredPage[] = [];
  let serverPart: PageReport['server'];
  try {
    await server?.startProfile();
    const browser = await launchChromium();
    try {
      for (const [i, url] of o.urls.entries()) {
        if (o.signal?.aborted) break;
        measured.push(await measurePage(browser, { url, runs: o.runs, cache: o.cache, throttling: o.throttling, dir: join(dir, `page-${i + 1}`), signal: o.signal, log: o.log }));
      }
    } finally {
      await browser.close().catch(() => {});
    }
    serverPart = server ? await serverSide(server, dir) : null;
  } finally {
    await server?.stop();
  }
  const pages = measured.map((m, i) => ({ ...m.summary, artifacts: prefixed(m.summary.artifacts, `page-${i + 1}/`) }));
  const report: PageReport = { schema: PAGE_SCHEMA, id, startedAt, pages, server: serverPart, warnings: server?.warnings ?? [], dir };
  writeFileSync(join(dir, 'page.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'page.html'), pageReportHtml(report, measured));
  const record = pageRunRecord(report, measured, {
    label: o.label ?? '',
    target: o.target?.command ?? null,
    command: o.command ?? `perfloop page ${o.urls.join(' ')} --runs ${o.runs}`,
    runs: o.runs,
    cache: o.cache,
    throttling: o.throttling,
    cwd: o.cwd,
    durationS: Math.round((Date.now() - Date.parse(startedAt)) / 100) / 10,
  });
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(record, null, 2)}\n`);
  pointLink(o.outDir, id);
  if (o.storePath) {
    const store = await openStore(o.storePath);
    try {
      await store.save(record, dir);
    } finally {
      await store.close();
    }
  }
  return { report, measured, record };
}

async function serverSide(server: PageServer, dir: string): Promise<PageReport['server']> {
  const profile = await server.stopProfile(dir);
  if (!profile || profile.sampleCount === 0) return null;
  const analysis = analyseProfile(profile, { top: 10 });
  writeFileSync(join(dir, 'server-flame.html'), flameHtml(flameData(profile, 'Server CPU during the page loads', frameCategories(profile))));
  return {
    top: analysis.top.map((t) => ({ name: t.name, file: t.file, selfPct: t.selfPct, totalPct: t.totalPct })),
    flame: 'server-flame.html',
  };
}

const prefixed = (a: Record<string, string>, prefix: string) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, `${prefix}${v}`]));

/** One self-contained page.html: filmstrip frames inlined as data: URIs, so the file can be opened or mailed alone. */
function pageReportHtml(report: PageReport, measured: MeasuredPage[]): string {
  const body = measured.map((m, i) =>
    pageRunHtml(m, {
      frame: (file) => `data:image/jpeg;base64,${readFileSync(join(report.dir, `page-${i + 1}`, file)).toString('base64')}`,
      flame: m.summary.artifacts.flame ? `page-${i + 1}/${m.summary.artifacts.flame}` : null,
      serverFlame: report.server?.flame ?? null,
    }),
  );
  const warnings = report.warnings.length ? `<h2>Warnings</h2><ul>${report.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
  return renderPage({ title: `page ${report.id}`, body: `<h1>Page loads ${esc(report.id)}</h1>${body.join('\n')}${warnings}`, nav: '' }, { kind: 'inline' });
}
