/**
 * perfloop vs memlab on heap snapshots of every shape that stresses a heap analyser (bench/heap-shapes/
 * generate.ts: deep chains, wide fan-outs, huge strings, closures, typed arrays, Maps/Sets, cycles, promises,
 * a mixed ordinary program), in the same run: wall time and peak RSS of each tool in a fresh process, the
 * ratios, and whether the two tools' per-node retained sizes agree. Then big snapshots (default 1 GB and
 * 2 GB, a two-snapshot series of the mixed program): perfloop's summary and diff, memlab's summary beside it.
 *
 * Usage (from the repo root; memlab is a devDependency — PUPPETEER_SKIP_DOWNLOAD=1 npm i -D memlab):
 *   npx tsc -p . && node dist/bench/heap-shapes.js [--mb 300] [--shapes deep-list,closures] [--big 1024,2048]
 *                                                   [--out bench/out/heap-shapes] [--memlab-timeout-s 900]
 *
 * Snapshots are written once per size under --out (git-ignored) and reused. One round; on a shared machine
 * the numbers move between runs — compare ratios from the same run only. Targets: ≥ 3× memlab's speed and
 * ≤ 0.5× its peak RSS on every shape.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BYTES_PER_UNIT, SHAPES } from './heap-shapes/generate.js';
import { memlabAnalysis, readDump, type Measure } from './heap-shapes/measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const EMPTY_HEAP_BYTES = 4.3e6;
const NODE_FLAGS = ['--max-old-space-size=20000'];

type Result = Measure | { error: string };

/** Snapshots of `shape` aimed at `mb` (the last of `rounds`), written once and kept. */
function ensureSnapshots(out: string, shape: string, mb: number, rounds = 1): string[] {
  const base = join(out, `${shape}-${mb}mb${rounds > 1 ? `-x${rounds}` : ''}`);
  const files = Array.from({ length: rounds }, (_, r) => `${base}-${r}.heapsnapshot`);
  if (files.every((f) => existsSync(f))) return files;
  mkdirSync(out, { recursive: true });
  const units = Math.max(1, Math.round((mb * 1024 * 1024 - EMPTY_HEAP_BYTES) / BYTES_PER_UNIT[shape] / rounds));
  process.stderr.write(`writing ${shape}: ${rounds} snapshot(s), ${units} units a round, ~${mb} MB …\n`);
  execFileSync(process.execPath, [...NODE_FLAGS, join(here, 'heap-shapes', 'generate.js'), shape, String(units), base, String(rounds)], { stdio: 'inherit' });
  return files;
}

function measure(tool: string, files: string[], dump?: string, timeoutS = 900): Result {
  const args = [...NODE_FLAGS, join(here, 'heap-shapes', 'measure.js'), tool, ...(dump ? ['--dump', dump] : []), ...files];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, timeout: timeoutS * 1000, killSignal: 'SIGKILL' });
  if (r.error && /ETIMEDOUT/.test(String(r.error))) return { error: `${tool}: no answer within ${timeoutS} s (stopped)` };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Measure;
  } catch {
    const why = r.signal ? `killed by ${r.signal}` : `exited ${r.status}`;
    return { error: `${tool} ${why}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ').slice(0, 200)}` };
  }
}

/** Per-node retained sizes of both tools on the same file (same node order): how many agree, and examples of those that do not. */
function compareRetained(perfloopDump: string, memlabDump: string): string {
  const p = readDump(perfloopDump);
  const m = readDump(memlabDump);
  if (p.ids.length !== m.ids.length) return `node counts differ: ${p.ids.length} vs ${m.ids.length}`;
  let differ = 0;
  const examples: string[] = [];
  for (let i = 0; i < p.ids.length; i++) {
    if (p.ids[i] !== m.ids[i]) return `node ${i}: ids differ (${p.ids[i]} vs ${m.ids[i]})`;
    if (Math.abs(p.retained[i] - m.retained[i]) > 0.5) {
      differ++;
      if (examples.length < 3) examples.push(`@${p.ids[i]} ${p.retained[i]} vs ${m.retained[i]}`);
    }
  }
  const pct = (100 * (p.ids.length - differ)) / p.ids.length;
  return differ === 0 ? `all ${p.ids.length} equal` : `${pct.toFixed(3)}% equal, ${differ} differ (${examples.join('; ')})`;
}

const cell = (x: Result) => ('error' in x ? x.error : `${(x.ms / 1000).toFixed(2)} s, ${x.peakMb} MB`);
const mbOf = (f: string) => Math.round(statSync(f).size / (1024 * 1024));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mb: { type: 'string', default: '300' },
      shapes: { type: 'string', default: Object.keys(SHAPES).join(',') },
      big: { type: 'string', default: '1024,2048' },
      out: { type: 'string', default: join(repoRoot, 'bench', 'out', 'heap-shapes') },
      'memlab-timeout-s': { type: 'string', default: '900' },
      'keep-dumps': { type: 'boolean', default: false },
    },
  });
  const out = String(values.out);
  const haveMemlab = memlabAnalysis() !== undefined;
  if (!haveMemlab) process.stderr.write('memlab is not installed (PUPPETEER_SKIP_DOWNLOAD=1 npm i -D memlab): measuring perfloop alone\n');
  const timeoutS = Number(values['memlab-timeout-s']);
  const rows: string[] = [];
  const misses: string[] = [];
  const ratios: { time: number[]; rss: number[] } = { time: [], rss: [] };
  const shapes = String(values.shapes).split(',').filter(Boolean);
  for (const shape of shapes) {
    if (!SHAPES[shape]) throw new Error(`unknown shape ${shape}: one of ${Object.keys(SHAPES).join(', ')}`);
    const [file] = ensureSnapshots(out, shape, Number(values.mb));
    const pDump = `${file}.perfloop-retained`;
    const mDump = `${file}.memlab-retained`;
    const p = measure('perfloop', [file], pDump);
    const m: Result = haveMemlab ? measure('memlab', [file], mDump, timeoutS) : { error: 'not installed' };
    let ratio = '';
    let agree = '';
    if (!('error' in p) && !('error' in m)) {
      const t = m.ms / p.ms;
      const r = p.peakMb / m.peakMb;
      ratios.time.push(t);
      ratios.rss.push(r);
      ratio = `${t.toFixed(1)}×, ${(100 * r).toFixed(0)}%`;
      if (t < 3 || r > 0.5) misses.push(`${shape}: ${t.toFixed(1)}× memlab's speed, ${(100 * r).toFixed(0)}% of its peak RSS (target ≥ 3×, ≤ 50%)`);
      agree = `same rules: ${compareRetained(`${pDump}.memlab-rules`, mDump)}; perfloop's (DevTools') rules: ${compareRetained(pDump, mDump)}`;
    }
    if (!values['keep-dumps']) for (const d of [pDump, `${pDump}.memlab-rules`, mDump]) rmSync(d, { force: true });
    rows.push(`| ${shape} | ${mbOf(file)} MB | ${cell(p)} | ${cell(m)} | ${ratio} | ${agree} |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  const bigRows: string[] = [];
  for (const mb of String(values.big).split(',').filter(Boolean).map(Number)) {
    const files = ensureSnapshots(out, 'mixed', mb, 2);
    const s = measure('perfloop', [files[1]]);
    const d = measure('perfloop-diff', files);
    const m: Result = haveMemlab ? measure('memlab', [files[1]], undefined, timeoutS) : { error: 'not installed' };
    bigRows.push(`| mixed ${mb} MB | ${mbOf(files[0])} + ${mbOf(files[1])} MB | ${cell(s)} | ${cell(d)} | ${cell(m)} |`);
    process.stderr.write(`${bigRows[bigRows.length - 1]}\n`);
  }
  const lines = [
    `perfloop vs memlab — heap shapes, one fresh process each (${new Date().toISOString()}, node ${process.version})`,
    '',
    '| shape | snapshot | perfloop summary (time, peak RSS) | memlab (time, peak RSS) | memlab time ÷ perfloop, perfloop RSS ÷ memlab | retained sizes, perfloop vs memlab |',
    '|---|---|---|---|---|---|',
    ...rows,
  ];
  if (ratios.time.length > 0) {
    const geo = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
    lines.push('', `geometric mean: ${geo(ratios.time).toFixed(1)}× memlab's speed, ${(100 * geo(ratios.rss)).toFixed(0)}% of its peak RSS`);
  }
  if (bigRows.length > 0) lines.push('', '| big snapshot | files | perfloop summary (last) | perfloop diff (both) | memlab (last) |', '|---|---|---|---|---|', ...bigRows);
  lines.push('', misses.length === 0 ? 'targets met on every shape measured against memlab' : `targets missed:\n${misses.map((x) => `  - ${x}`).join('\n')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
