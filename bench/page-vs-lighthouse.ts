/**
 * `perfloop page` against Lighthouse (the peer for page-load metrics), the same local test page, the same run.
 *
 * Usage (from the repo root; Debian's chromium, Lighthouse from devDependencies):
 *   npx tsc -p . && CHROME_PATH=/usr/bin/chromium node dist/bench/page-vs-lighthouse.js [--runs 5]
 *
 * The page is the tests' planted one (test/page/slow-page-server.ts: a 400 ms long task after FCP, a 600 ms API
 * call), served on 127.0.0.1. Each tool loads it N times, cold, unthrottled (Lighthouse: throttlingMethod
 * "provided", desktop, no screen emulation — what perfloop's default load is). Figures: FCP, LCP, TBT and CLS as
 * the ratio of medians perfloop / Lighthouse (agreement), and wall time per load of each tool (perfloop's one
 * browser for all loads; Lighthouse launched per run by chrome-launcher, as its CLI does). Rounds alternate the
 * tools so drift on a shared machine hits both; the load average is printed beside each figure.
 */
import { loadavg } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { launchChromium } from '../src/page/chromium.js';
import { measurePage } from '../src/page/measure-page.js';
import { SLOW, startSlowPageServer } from '../test/page/slow-page-server.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const chromePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

type Metrics = { fcp: number; lcp: number; tbt: number; cls: number };
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
};
const load1 = () => loadavg()[0].toFixed(1);

async function perfloopLoads(url: string): Promise<{ loads: Metrics[]; msPerLoad: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'perfloop-bench-page-'));
  const t = process.hrtime.bigint();
  const browser = await launchChromium();
  try {
    const m = await measurePage(browser, { url, runs, cache: 'cold', throttling: null, dir });
    const msPerLoad = Number(process.hrtime.bigint() - t) / 1e6 / runs;
    return { loads: m.summary.perRun.map((l) => ({ fcp: l.fcp_ms ?? NaN, lcp: l.lcp_ms ?? NaN, tbt: l.tbt_ms ?? NaN, cls: l.cls ?? NaN })), msPerLoad };
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function lighthouseLoads(url: string): Promise<{ loads: Metrics[]; msPerLoad: number }> {
  const loads: Metrics[] = [];
  const t = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) {
    const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const r = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] }, {
        extends: 'lighthouse:default',
        settings: { formFactor: 'desktop', screenEmulation: { disabled: true }, throttlingMethod: 'provided', onlyCategories: ['performance'] },
      });
      const a = r?.lhr.audits;
      if (!a) throw new Error('Lighthouse returned no result');
      if (r.lhr.runtimeError) throw new Error(`Lighthouse: ${r.lhr.runtimeError.code} ${r.lhr.runtimeError.message}`);
      const v = (id: string) => a[id]?.numericValue ?? NaN;
      loads.push({ fcp: v('first-contentful-paint'), lcp: v('largest-contentful-paint'), tbt: v('total-blocking-time'), cls: v('cumulative-layout-shift') });
    } finally {
      chrome.kill();
    }
  }
  return { loads, msPerLoad: Number(process.hrtime.bigint() - t) / 1e6 / runs };
}

const server = await startSlowPageServer(SLOW);
const url = `${server.url}/checkout`;
try {
  console.log(`perfloop page vs Lighthouse ${(await import('lighthouse/package.json', { with: { type: 'json' } })).default.version}: ${runs} cold unthrottled loads per tool per round, ${url}`);
  console.log('round  tool        load1  FCP ms   LCP ms   TBT ms   CLS     ms/load');
  const rows: { round: number; pl: Awaited<ReturnType<typeof perfloopLoads>>; lh: Awaited<ReturnType<typeof lighthouseLoads>>; load: string[] }[] = [];
  for (let round = 1; round <= 2; round++) {
    const order = round % 2 === 1 ? ['pl', 'lh'] : ['lh', 'pl'];
    const out: Partial<(typeof rows)[number]> = { round };
    const load: Record<string, string> = {};
    for (const tool of order) {
      if (tool === 'pl') out.pl = await perfloopLoads(url);
      else out.lh = await lighthouseLoads(url);
      load[tool] = load1();
    }
    out.load = [load.pl, load.lh];
    rows.push(out as (typeof rows)[number]);
    for (const [name, r, l1] of [['perfloop', out.pl!, load.pl], ['lighthouse', out.lh!, load.lh]] as const) {
      const m = (k: keyof Metrics) => median(r.loads.map((l) => l[k]));
      console.log(`${String(round).padEnd(7)}${name.padEnd(12)}${l1.padEnd(7)}${m('fcp').toFixed(0).padEnd(9)}${m('lcp').toFixed(0).padEnd(9)}${m('tbt').toFixed(0).padEnd(9)}${m('cls').toFixed(3).padEnd(8)}${r.msPerLoad.toFixed(0)}`);
    }
  }
  console.log('\nratios perfloop / Lighthouse (medians of the same round)');
  console.log('round  load1 (pl/lh)  FCP    LCP    TBT    CLS (abs diff)  time per load');
  for (const r of rows) {
    const m = (x: typeof r.pl, k: keyof Metrics) => median(x.loads.map((l) => l[k]));
    const ratio = (k: keyof Metrics) => (m(r.pl, k) / m(r.lh, k)).toFixed(2);
    console.log(`${String(r.round).padEnd(7)}${r.load.join('/').padEnd(15)}${ratio('fcp').padEnd(7)}${ratio('lcp').padEnd(7)}${ratio('tbt').padEnd(7)}${Math.abs(m(r.pl, 'cls') - m(r.lh, 'cls')).toFixed(3).padEnd(16)}${(r.pl.msPerLoad / r.lh.msPerLoad).toFixed(2)}`);
  }
} finally {
  await server.close();
}
