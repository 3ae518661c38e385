/**
 * perfloop flame vs peers on the same inputs, in the same run: import + analyse of
 *   - a 1,000,000-line folded file (peer: speedscope 1.25's own importer, in headless Chromium),
 *   - a ~500 MB .cpuprofile (peers: flamebearer 2.1 in Node, speedscope in headless Chromium),
 * wall time and peak RSS of each, and the ratios; then the load-and-draw time of perfloop's flame graph HTML for
 * a 1,000,000-sample profile in headless Chromium.
 *
 * Usage (from the repo root):
 *   apt-get install -y chromium
 *   PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm i --prefix bench/peers flamebearer speedscope playwright-core   (once;
 *     bench/peers/ is git-ignored and stays out of package.json)
 *   npx tsc -p . && node dist/bench/profile-import.js [--out bench/out/profile] [--cpuprofile-mb 500] [--folded-lines 1000000]
 *
 * Every CLI measurement runs in a fresh process under GNU time (`%e %M`: elapsed s and max RSS of the process),
 * Node start-up included on both sides. The browser measurements time the page from the file being handed over
 * to the profile being on screen; their RSS is the largest sum over Chromium's processes, polled every 100 ms.
 * One round; the machine is shared — compare ratios from the same run only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { flameData } from '../src/profile/render/flame-data.js';
import { flameHtml } from '../src/profile/render/flame-html.js';
import { samplesProfile, writeCpuProfile, writeFolded } from './profile-inputs.js';

/** flamebearer 2.1 calls Map.groupBy (Node ≥ 21); this machine's Node is 20, so the peer gets a polyfill. */
const GROUP_BY_POLYFILL = `--import=data:text/javascript,${encodeURIComponent(
  'Map.groupBy??=function(it,f){const m=new Map();let i=0;for(const x of it){const k=f(x,i++);const a=m.get(k);a?a.push(x):m.set(k,[x])}return m};',
)}`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const peers = join(repoRoot, 'bench', 'peers', 'node_modules');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

interface Result {
  tool: string;
  input: string;
  ok: boolean;
  seconds: number;
  peakMB: number;
  note?: string;
}

function timed(tool: string, input: string, cmd: string[]): Result {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...cmd], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const m = /^([\d.]+) (\d+)$/.exec(last);
  const ok = r.status === 0 && !!m;
  return {
    tool,
    input,
    ok,
    seconds: m ? Number(m[1]) : NaN,
    peakMB: m ? Math.round(Number(m[2]) / 1024) : NaN,
    note: ok ? undefined : r.stderr.trim().split('\n').slice(-3, -1).join(' ').slice(0, 200),
  };
}

/** RSS of all descendants of `root` (not root itself), in MB. */
function treeRssMB(root: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(fields[1]));
      rss.set(Number(d), (Number(fields[21]) * 4096) / 1048576);
    } catch {
      /* gone */
    }
  }
  let sum = 0;
  for (const [pid, mb] of rss) {
    if (pid === root) continue;
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        sum += mb;
        break;
      }
    }
  }
  return Math.round(sum);
}

async function browser() {
  const { chromium } = await import(pathToFileURL(join(peers, 'playwright-core', 'index.mjs')).href);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--js-flags=--max-old-space-size=16384'],
  });
}

async function withRss<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; peakMB: number }> {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, treeRssMB(pid))), 100);
  try {
    const value = await work();
    peak = Math.max(peak, treeRssMB(pid));
    return { value, peakMB: peak };
  } finally {
    clearInterval(timer);
  }
}

/** speedscope's importer as users run it: drop the file on the app, wait for the flame chart. */
async function speedscope(input: string, label: string, timeoutMs: number): Promise<Result> {
  const b = await browser();
  const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
  let failure = '';
  page.on('pageerror', (e: Error) => (failure ||= e.message));
  page.on('crash', () => (failure ||= 'the page crashed (out of memory?)'));
  page.on('dialog', (d: { message(): string; dismiss(): Promise<void> }) => {
    failure ||= d.message();
    void d.dismiss();
  });
  try {
    await page.goto(pathToFileURL(join(peers, 'speedscope', 'dist', 'release', 'index.html')).href);
    await page.waitForSelector('input[type=file]', { state: 'attached' });
    const { value, peakMB } = await withRss(process.pid, async () => {
      const t0 = Date.now();
      await page.setInputFiles('input[type=file]', input);
      let error = '';
      const shown = await page
        .waitForFunction(
          "/Left Heavy/.test(document.body.innerText) && !!document.querySelector('canvas')",
          null,
          { timeout: timeoutMs, polling: 100 },
        )
        .then(
          () => true,
          (e: Error) => {
            error = e.message.split('\n')[0];
            return false;
          },
        );
      return { shown, error, seconds: (Date.now() - t0) / 1000 };
    });
    const why = value.shown
      ? undefined
      : `after ${value.seconds.toFixed(0)} s: ${failure || value.error || 'not shown'}`;
    return {
      tool: 'speedscope 1.25 (Chromium)',
      input: label,
      ok: value.shown && !failure,
      seconds: value.seconds,
      peakMB,
      note: why,
    };
  } catch (e) {
    return {
      tool: 'speedscope 1.25 (Chromium)',
      input: label,
      ok: false,
      seconds: NaN,
      peakMB: NaN,
      note: (e as Error).message.slice(0, 200),
    };
  } finally {
    await b.close();
  }
}

/** perfloop's flame graph page: from navigation to the first frame drawn. */
async function htmlLoad(path: string): Promise<{ seconds: number; peakMB: number; drawMs: number }> {
  const b = await browser();
  const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e: Error) => errors.push(e.message));
  try {
    const { value, peakMB } = await withRss(process.pid, async () => {
      const t0 = Date.now();
      await page.goto(pathToFileURL(path).href, { timeout: 120_000 });
      await page.waitForFunction('window.__flameReady === true', null, { timeout: 120_000 });
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      const seconds = (Date.now() - t0) / 1000;
      // a redraw after a zoom: what interaction costs
      const drawMs = (await page.evaluate(
        "(() => { const t = performance.now(); window.dispatchEvent(new Event('resize')); return performance.now() - t; })()",
      )) as number;
      return { seconds, drawMs };
    });
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return { ...value, peakMB };
  } finally {
    await b.close();
  }
}

const fmt = (r: Result) =>
  `${r.tool.padEnd(28)} ${r.input.padEnd(26)} ${r.ok ? `${r.seconds.toFixed(2).padStart(7)} s ${String(r.peakMB).padStart(6)} MB` : `FAILED: ${r.note}`}`;

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(repoRoot, 'bench', 'out', 'profile') },
      'cpuprofile-mb': { type: 'string', default: '500' },
      'folded-lines': { type: 'string', default: '1000000' },
    },
  });
  const out = resolve(values.out!);
  mkdirSync(out, { recursive: true });
  const lines = Number(values['folded-lines']);
  const mb = Number(values['cpuprofile-mb']);
  const folded = join(out, `stacks-${lines}.folded`);
  const cpuprofile = join(out, `big-${mb}mb.cpuprofile`);
  console.log(`inputs in ${out} (generated once, reused)`);
  console.log(
    `  folded: ${(writeFolded(folded, lines) / 1048576).toFixed(0)} MB, ${lines.toLocaleString('en-US')} lines`,
  );
  console.log(`  cpuprofile: ${(writeCpuProfile(cpuprofile, mb) / 1048576).toFixed(0)} MB`);
  const cli = join(repoRoot, 'bin', 'perfloop.js');
  const haveFlamebearer = existsSync(join(peers, 'flamebearer', 'bin', 'flamebearer'));
  const haveSpeedscope =
    existsSync(join(peers, 'speedscope')) &&
    existsSync(join(peers, 'playwright-core')) &&
    existsSync(CHROMIUM);

  const results: Result[] = [];
  const foldedLabel = `folded ${lines >= 1e6 ? `${lines / 1e6}M` : lines.toLocaleString('en-US')} lines`;
  const run = (r: Result) => {
    results.push(r);
    console.log(fmt(r));
  };
  console.log('\nimport + analyse');
  run(timed('perfloop flame --json', foldedLabel, [process.execPath, cli, 'flame', folded, '--json']));
  if (haveSpeedscope) run(await speedscope(folded, foldedLabel, 600_000));
  run(
    timed('perfloop flame --json', `cpuprofile ${mb} MB`, [
      process.execPath,
      '--max-old-space-size=16384',
      cli,
      'flame',
      cpuprofile,
      '--json',
    ]),
  );
  if (haveFlamebearer)
    run(
      timed('flamebearer 2.1', `cpuprofile ${mb} MB`, [
        process.execPath,
        '--max-old-space-size=16384',
        GROUP_BY_POLYFILL,
        join(peers, 'flamebearer', 'bin', 'flamebearer'),
        cpuprofile,
        '--no-sourcemap',
      ]),
    );
  if (haveSpeedscope) run(await speedscope(cpuprofile, `cpuprofile ${mb} MB`, 600_000));

  console.log('\nratios (peer ÷ perfloop; > 1 means perfloop is faster / smaller)');
  for (const input of [...new Set(results.map((r) => r.input))]) {
    const ours = results.find((r) => r.input === input && r.tool.startsWith('perfloop'));
    for (const r of results.filter((x) => x.input === input && x !== ours)) {
      if (!ours?.ok) continue;
      console.log(
        `  ${input}: ${r.tool}: ${r.ok ? `time ×${(r.seconds / ours.seconds).toFixed(1)}, peak RSS ×${(r.peakMB / ours.peakMB).toFixed(1)}` : `failed (${r.note}); perfloop took ${ours.seconds.toFixed(1)} s`}`,
      );
    }
  }

  let html: { samples: number; sizeMB: number; seconds: number; peakMB: number; drawMs: number } | undefined;
  if (existsSync(CHROMIUM) && existsSync(join(peers, 'playwright-core'))) {
    const samples = 1_000_000;
    const p = samplesProfile(samples, 60_000);
    const path = join(out, 'flame-1M-samples.html');
    const page = flameHtml(flameData(p, `${samples.toLocaleString('en-US')} samples`));
    writeFileSync(path, page);
    const r = await htmlLoad(path);
    html = { samples, sizeMB: Math.round(page.length / 1048576), ...r };
    console.log(
      `\nflame graph HTML, ${samples.toLocaleString('en-US')} samples (${p.nodeCount.toLocaleString('en-US')} stack nodes, ${html.sizeMB} MB): loaded and drawn in ${r.seconds.toFixed(2)} s in headless Chromium (goal < 2 s); a full redraw ${r.drawMs.toFixed(1)} ms; Chromium peak ${r.peakMB} MB`,
    );
  }
  writeFileSync(
    join(out, 'results.json'),
    `${JSON.stringify({ at: new Date().toISOString(), results, html }, null, 2)}\n`,
  );
}

await main();
