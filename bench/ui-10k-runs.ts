/**
 * Does the dashboard stay fast on a long history? A store of 10,000 runs (20 scenarios, per-second
 * intervals and findings like real runs) is generated once into the temp folder, then timed:
 *
 *   - `perfloop ui` from process start until it prints its URL (the contract: under a second),
 *   - GET / (the Runs page: scenario sparklines + the first page of runs),
 *   - GET /api/runs (perfloop/runs@1), against `perfloop runs --json` on the same store in the same run
 *     (the CLI listing is the peer here: the page should cost about what listing does),
 *   - GET /scenarios/<id> (trend charts over the newest 100 runs of a scenario, each with its verdict).
 *
 * Usage: npx tsc -p . && node dist/bench/ui-10k-runs.js [--runs 10000] [--rounds 5]
 * Exit 1 when the start or the Runs page takes a second or more (median of the rounds).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Histogram } from '../src/core/histogram.js';
import { machineFingerprint, RUN_SCHEMA, type RunRecord } from '../src/core/run.js';
import { scenarioFromRequestNames } from '../src/load/scenario-fingerprint.js';
import { RunStore } from '../src/store/run-store.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'bin', 'perfloop.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '5' } } });
const N = Number(values.runs);
const ROUNDS = Number(values.rounds);

function buildStore(path: string): void {
  const store = RunStore.open(path);
  const machine = machineFingerprint();
  const scenarios = Array.from({ length: 20 }, (_, i) => scenarioFromRequestNames([`GET /api/s${i}`, `POST /api/s${i}/items`]));
  let seed = 7;
  const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let n = 0; n < N; n++) {
    const all = new Histogram();
    const intervals = [];
    for (let t = 0; t < 10; t++) {
      const h = new Histogram();
      for (let i = 0; i < 20; i++) h.recordMs(20 + random() * 80);
      all.merge(h);
      intervals.push({ t, count: 20, errors: 0, histogram: h.encode() });
    }
    const at = new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString();
    const p = (q: number) => all.percentile(q) / 1000;
    const record: RunRecord = {
      schema: RUN_SCHEMA,
      run: { id: `r${String(n).padStart(6, '0')}`, label: `change ${n}`, startedAt: at, durationS: 10, target: 'node server.js', gitSha: (n * 2654435761).toString(16).padStart(10, '0'), gitBranch: n % 3 ? 'main' : 'feature', scenario: scenarios[n % 20], machine },
      metrics: {
        http_req_duration: { p50: p(50), p90: p(90), p95: p(95), p99: p(99), max: all.maxUs / 1000, mean: all.meanUs / 1000, count: all.count },
        http_reqs: { count: all.count, rate: all.count / 10 },
        http_req_failed: { rate: 0, count: 0, noResponse: 0 },
        cpu: { meanPct: 50, maxPct: 80 },
        memory: { rssStartMb: 80, rssEndMb: 85, rssMaxMb: 90, heapUsedSlopeMbPerMin: 0 },
        event_loop_delay: null,
      },
      endpoints: [],
      findings: [{ rule: 'cpu.hot-function', area: 'cpu', severity: 'medium', title: 'hot', evidence: { function: 'f' }, recommendation: 'r', estimatedImpact: { pct: 10, basis: 'cpu' } }],
      artifacts: {},
      histograms: { http_req_duration: all.encode() },
      intervals,
      profile: null,
      budget: null,
      measurement: { command: 'perfloop run', load: 'constant-vus', vus: 2, durationS: 10, warmupS: 1, profiler: null },
      queries: null,
      timeline: Array.from({ length: 10 }, (_, t) => ({ t, rssMb: 80, heapUsedMb: 20, liveHeapMb: null, cpuPct: 50, eventLoopP99Ms: null })),
      warnings: [],
    };
    store.save(record);
  }
  store.close();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startUi(store: string): Promise<{ url: string; startMs: number; stop(): Promise<void> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'ui', '--port', '0', '--store', store], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /perfloop ui: (\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.on('exit', (c) => fail(new Error(`perfloop ui exited ${c}`)));
  });
  const startMs = performance.now() - t0;
  return {
    url,
    startMs,
    stop: () =>
      new Promise((r) => {
        child.on('exit', () => r());
        child.kill('SIGINT');
      }),
  };
}

async function timeGet(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return { ms: performance.now() - t0, bytes: body.byteLength };
}

const dir = join(tmpdir(), `perfloop-bench-ui-${N}`);
const store = join(dir, 'perfloop.db');
if (!existsSync(store)) {
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  buildStore(store);
  console.log(`built a ${N}-run store in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${store}`);
} else console.log(`using the ${N}-run store ${store}`);

const rows: Record<string, number[]> = { 'perfloop ui start → URL': [], 'GET / (Runs page)': [], 'GET /api/runs': [], 'perfloop runs --json (peer: CLI listing)': [], 'GET /scenarios/<id> (100 runs, verdicts)': [] };
let scenarioPath = '';
for (let i = 0; i < ROUNDS; i++) {
  const ui = await startUi(store);
  rows['perfloop ui start → URL'].push(ui.startMs);
  const page = await timeGet(ui.url);
  rows['GET / (Runs page)'].push(page.ms);
  rows['GET /api/runs'].push((await timeGet(`${ui.url}api/runs`)).ms);
  if (!scenarioPath) {
    const html = await (await fetch(ui.url)).text();
    scenarioPath = /href="\/(scenarios\/[^"]+)"/.exec(html)![1];
  }
  rows['GET /scenarios/<id> (100 runs, verdicts)'].push((await timeGet(`${ui.url}${scenarioPath}`)).ms);
  await ui.stop();
  const t0 = performance.now();
  execFileSync(process.execPath, [cli, 'runs', '--json', '--store', store], { stdio: 'ignore' });
  rows['perfloop runs --json (peer: CLI listing)'].push(performance.now() - t0);
}
console.log(`\n${N} runs, ${ROUNDS} rounds (median ms)`);
for (const [name, xs] of Object.entries(rows)) console.log(`  ${name.padEnd(44)} ${median(xs).toFixed(0).padStart(6)} ms`);
const start = median(rows['perfloop ui start → URL']);
const list = median(rows['GET / (Runs page)']);
const ratio = (start + list) / median(rows['perfloop runs --json (peer: CLI listing)']);
console.log(`  start + Runs page vs perfloop runs --json: ${ratio.toFixed(2)}×`);
const ok = start < 1000 && list < 1000;
console.log(ok ? 'OK: starts and lists in under a second' : 'SLOW: the start or the Runs page took a second or more');
process.exit(ok ? 0 : 1);
