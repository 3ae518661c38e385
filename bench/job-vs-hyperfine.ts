/**
 * `perfloop job` against hyperfine (the peer for timing a command over many runs), same commands, same run.
 *
 * Usage (from the repo root; needs hyperfine — on Debian: apt-get install -y hyperfine):
 *   npx tsc -p . && node dist/bench/job-vs-hyperfine.js [--runs 10] [--rounds 2]
 *
 * For each command, rounds alternate the tools so drift on a shared machine hits both. Figures, all as ratios
 * perfloop / hyperfine from the same round: mean wall time per run (the measurement agreeing), mean CPU time
 * (user + sys; hyperfine takes it from wait4's rusage, perfloop from the wrapper shell's reaped-children
 * accounting), and each tool's own elapsed time over the job's total (what measuring costs). The load average
 * is printed beside each figure: on a loaded host both tools' numbers move together, the ratios much less.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runJob } from '../src/job/run-job.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' } } });
const runs = Number(values.runs);
const rounds = Number(values.rounds);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const COMMANDS: { name: string; argv: string[] }[] = [
  { name: 'sleep 0.2 (off-CPU)', argv: ['sleep', '0.2'] },
  { name: 'node batch job (CPU + sleep)', argv: [process.execPath, join(root, 'test', 'fixtures', 'job', 'batch-job.mjs'), '--hot', '200000', '--sleep', '50'] },
];

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function hyperfine(argv: string[]): { wall: number; cpu: number; elapsed: number } {
  const dir = mkdtempSync(join(tmpdir(), 'perfloop-bench-hf-'));
  try {
    const out = join(dir, 'hf.json');
    const t = process.hrtime.bigint();
    execFileSync('hyperfine', ['-N', '--runs', String(runs), '--warmup', '0', '--style', 'none', '--export-json', out, argv.map(quote).join(' ')], { stdio: 'ignore' });
    const elapsed = Number(process.hrtime.bigint() - t) / 1e9;
    const r = (JSON.parse(readFileSync(out, 'utf8')) as { results: { mean: number; user: number; system: number; times: number[] }[] }).results[0];
    return { wall: r.mean, cpu: r.user + r.system, elapsed: elapsed / r.times.reduce((s, x) => s + x, 0) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function perfloop(argv: string[]): Promise<{ wall: number; cpu: number; elapsed: number }> {
  const t = process.hrtime.bigint();
  const r = await runJob({ argv, runs, profile: 'none', cwd: root, outDir: null, storePath: null, stdio: 'ignore' });
  const elapsed = Number(process.hrtime.bigint() - t) / 1e9;
  const total = r.job.runs.reduce((s, x) => s + x.wallS, 0);
  return { wall: r.job.duration_s.mean, cpu: r.job.runs.reduce((s, x) => s + (x.cpuS ?? 0), 0) / runs, elapsed: elapsed / total };
}

const f = (x: number) => x.toFixed(3);
console.log(`perfloop job vs hyperfine ${execFileSync('hyperfine', ['--version']).toString().trim()}: ${runs} runs per tool per round, ${rounds} rounds`);
console.log('command                        round  load1  wall pl/hf          ratio  CPU pl/hf           ratio  tool time / job time pl, hf');
for (const c of COMMANDS) {
  for (let round = 1; round <= rounds; round++) {
    const first = round % 2 === 1;
    const a = first ? await perfloop(c.argv) : hyperfine(c.argv);
    const b = first ? hyperfine(c.argv) : await perfloop(c.argv);
    const [pl, hf] = first ? [a, b] : [b, a];
    console.log(
      `${c.name.padEnd(31)}${String(round).padEnd(7)}${loadavg()[0].toFixed(2).padEnd(7)}${`${f(pl.wall)} / ${f(hf.wall)} s`.padEnd(20)}${f(pl.wall / hf.wall).padEnd(7)}${`${f(pl.cpu)} / ${f(hf.cpu)} s`.padEnd(20)}${(hf.cpu > 0.005 ? f(pl.cpu / hf.cpu) : '—').padEnd(7)}${f(pl.elapsed)}, ${f(hf.elapsed)}`,
    );
  }
}
