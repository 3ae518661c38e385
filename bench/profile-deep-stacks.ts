/**
 * Deep stacks, big files: `perfloop flame FILE --json` against FlameGraph's own Perl tools on the same inputs, in
 * the same run —
 *   - a 200,000-line folded file of ~100-frame stacks (~70 MB): perfloop vs `flamegraph.pl FILE > /dev/null`
 *     (the target is ≥ 20×, inferno's mark over the Perl tools);
 *   - the same samples as `perf script` text: perfloop vs `stackcollapse-perf.pl`, and perfloop's MB/s on perf
 *     script against its MB/s on folded (perf script must be read at least as fast per MB).
 *
 * Usage (from the repo root; FlameGraph's scripts are not part of the repository):
 *   mkdir -p bench/peers && cp /path/to/FlameGraph/{flamegraph.pl,stackcollapse-perf.pl} bench/peers/
 *   npx tsc -p . && node dist/bench/profile-deep-stacks.js [--lines 200000] [--rounds 3] [--out bench/out/deep]
 *
 * Every run is a fresh process under GNU time (`%e %U %S %M`), Node start-up included, each tool once per round
 * with the load average printed; the machine is shared, so compare the ratios of one round, not seconds across
 * rounds.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './conformance/corpus.js';
import { rng } from './profile-inputs.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/out/deep' },
  },
});
const LINES = Number(values.lines);
const out = resolve(repoRoot, values.out!);
const peers = join(repoRoot, 'bench', 'peers');

/**
 * Stacks of 90–110 frames over 1,296 short-named functions (`f` + two base-36 digits, as a 70 MB file of
 * 200,000 such lines implies), each sharing most of its frames with the previous one.
 */
function* deepStacks(lines: number): Generator<[string[], number]> {
  const r = rng(7);
  let frames: string[] = [];
  for (let l = 0; l < lines; l++) {
    if (frames.length === 0 || r() < 0.01) frames = [`main`];
    else frames.length = Math.max(1, frames.length - 1 - Math.floor(-Math.log(1 - r()) * 6));
    const depth = 90 + Math.floor(r() * 21);
    while (frames.length < depth)
      frames.push(
        `f${Math.floor(r() * 1296)
          .toString(36)
          .padStart(2, '0')}`,
      );
    yield [frames, 1 + Math.floor(r() * 9)];
  }
}

function writeInputs(dir: string): { folded: string; perf: string } {
  const folded = join(dir, `deep-${LINES}.folded`);
  // perf script spends ~30 bytes a frame: a tenth of the samples keeps the file near the folded one's size.
  const perf = join(dir, `deep-${LINES / 10}.perf.txt`);
  if (existsSync(folded) && existsSync(perf)) return { folded, perf };
  const f = openSync(folded, 'w');
  const p = openSync(perf, 'w');
  let fb = '';
  let pb = '';
  let t = 1000;
  let l = 0;
  for (const [frames, count] of deepStacks(LINES)) {
    fb += `${frames.join(';')} ${count}\n`;
    if (fb.length > 1 << 22) {
      writeSync(f, fb);
      fb = '';
    }
    if (l++ % 10 !== 0) continue;
    // One perf sample per folded line (its count as the period), leaf first.
    t += 0.001;
    pb += `app 4242/4242 [000] ${t.toFixed(6)}: ${count} cycles:\n`;
    for (let i = frames.length - 1; i >= 0; i--)
      pb += `\t    7f00${(i * 16).toString(16)} ${frames[i]}+0x1f (/usr/bin/app)\n`;
    pb += '\n';
    if (pb.length > 1 << 22) {
      writeSync(p, pb);
      pb = '';
    }
  }
  writeSync(f, fb);
  writeSync(p, pb);
  closeSync(f);
  closeSync(p);
  return { folded, perf };
}

interface Timed {
  label: string;
  seconds: number;
  /** user + system CPU seconds: steadier than wall time on a shared machine. */
  cpu: number;
  peakMB: number;
  ok: boolean;
}

function timed(label: string, cmd: string[]): Timed {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S %M', 'sh', '-c', `${cmd.map((c) => `'${c}'`).join(' ')} > /dev/null`],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  const m = /([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr.trim());
  return {
    label,
    seconds: m ? Number(m[1]) : NaN,
    cpu: m ? Number(m[2]) + Number(m[3]) : NaN,
    peakMB: m ? Math.round(Number(m[4]) / 1024) : NaN,
    ok: r.status === 0,
  };
}

function main(): void {
  mkdirSync(out, { recursive: true });
  const inputs = writeInputs(out);
  for (let r = 1; r <= Math.max(1, Number(values.rounds)); r++) {
    console.log(`round ${r}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    round(inputs);
  }
}

function round({ folded, perf }: { folded: string; perf: string }): void {
  const mb = (p: string) => statSync(p).size / 1e6;
  const cli = join(repoRoot, 'bin', 'perfloop.js');
  const rows: Timed[] = [timed('perfloop flame folded --json', ['node', cli, 'flame', folded, '--json'])];
  const havePerl = existsSync(join(peers, 'flamegraph.pl'));
  if (havePerl) rows.push(timed('flamegraph.pl folded', ['perl', join(peers, 'flamegraph.pl'), folded]));
  rows.push(timed('perfloop flame perf-script --json', ['node', cli, 'flame', perf, '--json']));
  if (existsSync(join(peers, 'stackcollapse-perf.pl')))
    rows.push(
      timed('stackcollapse-perf.pl perf-script', ['perl', join(peers, 'stackcollapse-perf.pl'), perf]),
    );
  const fmb = mb(folded);
  const pmb = mb(perf);
  console.log(`inputs: ${LINES} lines; folded ${fmb.toFixed(1)} MB, perf script ${pmb.toFixed(1)} MB`);
  console.log('tool                                   seconds  cpu s  peak MB  MB/s');
  for (const r of rows) {
    const size = r.label.includes('perf-script') ? pmb : fmb;
    console.log(
      `${r.label.padEnd(38)} ${r.seconds.toFixed(2).padStart(7)} ${r.cpu.toFixed(2).padStart(6)} ${String(r.peakMB).padStart(8)} ${(size / r.seconds).toFixed(1).padStart(5)}${r.ok ? '' : '  FAILED'}`,
    );
  }
  const [pf, fg, pp, sc] = [
    rows[0],
    rows.find((r) => r.label.startsWith('flamegraph')),
    rows.find((r) => r.label.includes('perfloop flame perf')),
    rows.find((r) => r.label.startsWith('stackcollapse')),
  ];
  if (fg)
    console.log(
      `folded: perfloop is ${(fg.seconds / pf.seconds).toFixed(1)}× faster than flamegraph.pl in wall time, ${(fg.cpu / pf.cpu).toFixed(1)}× in CPU time (target ≥ 20×)`,
    );
  if (pp && sc)
    console.log(
      `perf script: perfloop is ${(sc.seconds / pp.seconds).toFixed(1)}× faster than stackcollapse-perf.pl in wall time, ${(sc.cpu / pp.cpu).toFixed(1)}× in CPU time`,
    );
  if (pp)
    console.log(
      `perf script ${(pmb / pp.seconds).toFixed(1)} MB/s vs folded ${(fmb / pf.seconds).toFixed(1)} MB/s`,
    );
  if (!havePerl) console.log('bench/peers/flamegraph.pl not found: peer not run (see Usage)');
}

main();
