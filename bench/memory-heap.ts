/**
 * perfloop vs memlab on the same heap snapshots, in the same run: parse + summary (objects by constructor
 * with count, self size and retained size) — wall time and peak RSS of each, and the ratios.
 *
 * Usage (from the repo root; memlab is a devDependency, installed with PUPPETEER_SKIP_DOWNLOAD=1 so that its
 * puppeteer dependency does not download Chrome; an install under bench/peers/ is found too):
 *   npx tsc -p . && node dist/bench/memory-heap.js [--series-mb 50] [--single-mb 300] [--out bench/out/heap]
 *
 * Snapshots are written once by a small Node program (a growing Map of objects, v8.writeHeapSnapshot): a
 * series of three ~50 MB snapshots and one ~300 MB snapshot, kept under --out for later runs. Every
 * measurement runs in a fresh child process (so peak RSS, VmHWM from /proc, is that tool's alone, worker
 * threads included); the timer covers parse + summary inside the child, not Node's start-up. memlab's side:
 * `getFullHeapFromFile` (parse, dominators, retained sizes) then the same per-constructor aggregation.
 * perfloop's side: `summariseHeapFile` (the `perfloop heap summary` code path). One round; on a shared
 * machine the numbers move between runs — compare ratios from the same run only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { memlabAnalysis, type Measure } from './heap-shapes/measure.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const GENERATOR = String.raw`
import { writeHeapSnapshot } from 'node:v8';
const [out, entries, rounds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const store = new Map();
const log = [];
class Item { constructor(i) { this.id = i; this.name = 'item-' + i; this.tags = [i, 'tag' + (i % 100)]; this.get = () => this.id; } }
let i = 0;
for (let r = 0; r < rounds; r++) {
  for (const end = i + entries; i < end; i++) { store.set('key-' + i, new Item(i)); if (i % 10 === 0) log.push({ at: i, note: 'note ' + i }); }
  globalThis.keep = { store, log };
  writeHeapSnapshot(out + '-' + r + '.heapsnapshot');
}
`;

/** ~85 bytes of snapshot per Item (7 nodes, ~30 edges): entries for a snapshot of `mb` megabytes. */
const entriesFor = (mb: number) => Math.round((mb * 1024 * 1024) / 690);

function ensureSnapshots(out: string, name: string, mb: number, rounds: number): string[] {
  const files = Array.from({ length: rounds }, (_, r) => join(out, `${name}-${r}.heapsnapshot`));
  if (files.every((f) => existsSync(f))) return files;
  mkdirSync(out, { recursive: true });
  const gen = join(out, 'generate.mjs');
  writeFileSync(gen, GENERATOR);
  // Each round adds `entries`: the series grows to about `mb` in its middle snapshot.
  const entries = rounds > 1 ? Math.round(entriesFor(mb) / 2) : entriesFor(mb);
  process.stderr.write(`writing ${rounds} snapshot(s) of ~${mb} MB to ${out} …\n`);
  execFileSync(process.execPath, ['--max-old-space-size=16000', gen, join(out, name), String(entries), String(rounds)], { stdio: 'inherit' });
  return files;
}

/** One measurement in a fresh process (bench/heap-shapes/measure.ts: the same code path as the shapes bench). */
function measure(tool: 'perfloop' | 'memlab', file: string): Measure | { error: string } {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'heap-shapes', 'measure.js');
  const r = spawnSync(process.execPath, ['--max-old-space-size=16000', script, tool, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Measure;
  } catch {
    return { error: `${tool} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}` };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'series-mb': { type: 'string', default: '50' },
      'single-mb': { type: 'string', default: '300' },
      out: { type: 'string', default: join(repoRoot, 'bench', 'out', 'heap') },
    },
    allowPositionals: true,
    strict: false,
  });
  const haveMemlab = memlabAnalysis() !== undefined;
  if (!haveMemlab) process.stderr.write('memlab is not installed: PUPPETEER_SKIP_DOWNLOAD=1 npm i -D memlab — measuring perfloop alone\n');
  const out = String(values.out);
  const series = ensureSnapshots(out, 'series', Number(values['series-mb']), 3);
  const single = ensureSnapshots(out, 'single', Number(values['single-mb']), 1);
  const rows: string[] = [];
  const ratios: { time: number[]; rss: number[] } = { time: [], rss: [] };
  for (const file of [...series, ...single]) {
    const mb = Math.round(statSync(file).size / (1024 * 1024));
    const p = measure('perfloop', file);
    const m = haveMemlab ? measure('memlab', file) : { error: 'not installed' };
    const cell = (x: Measure | { error: string }) => ('error' in x ? x.error : `${(x.ms / 1000).toFixed(2)} s, ${x.peakMb} MB`);
    let ratio = '';
    if (!('error' in p) && !('error' in m)) {
      const t = m.ms / p.ms;
      const r = p.peakMb / m.peakMb;
      ratios.time.push(t);
      ratios.rss.push(r);
      ratio = `${t.toFixed(1)}× faster, ${(100 * r).toFixed(0)}% of memlab's peak RSS`;
    }
    rows.push(`| ${file.split('/').pop()} | ${mb} MB | ${cell(p)} | ${cell(m)} | ${ratio} |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  const lines = [
    `perfloop vs memlab — parse + summary, one fresh process each (${new Date().toISOString()}, node ${process.version})`,
    '',
    '| snapshot | size | perfloop (time, peak RSS) | memlab (time, peak RSS) | perfloop vs memlab |',
    '|---|---|---|---|---|',
    ...rows,
  ];
  if (ratios.time.length > 0) {
    const geo = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
    lines.push('', `geometric mean: ${geo(ratios.time).toFixed(1)}× faster, ${(100 * geo(ratios.rss)).toFixed(0)}% of memlab's peak RSS`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
