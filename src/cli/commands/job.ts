import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { loadBudget } from '../../gate/budget.js';
import type { JobProfilerChoice } from '../../job/job-profiler.js';
import { jobJson, jobText } from '../../job/job-text.js';
import { runJob } from '../../job/run-job.js';
import { parseDuration } from '../../load/duration.js';
import type { Command } from '../command.js';
import { int, str } from '../parse.js';
import { STORE_OPTION, storeFlag } from '../store-option.js';

const PROFILERS: readonly JobProfilerChoice[] = ['auto', 'node', 'perf', 'none'];

export const jobCommand: Command = {
  name: 'job',
  summary: 'measure a batch job: run a command N times — wall, CPU, peak RSS, I/O, exit code — and profile the representative run',
  usage:
    'perfloop job [--name NAME] [--runs N | --duration TIME] [--warmup N] [--budget FILE] [--profile auto|node|perf|none] [--out DIR] [--json] -- CMD…',
  details: [
    'Runs CMD one run after another and reports the distribution of its duration (p50, p95, and the 95 % confidence',
    'interval of the mean by Student\'s t, which narrows as runs are added), CPU time (user+sys of the whole process',
    'tree) against wall time — the difference is time spent waiting, a sleep or I/O shows there — peak RSS, I/O bytes and',
    'exit codes. The run closest to the median is the representative one: its CPU profile (Node: V8\'s profiler in every',
    'node process of every run, however started — npm run, npx tsx, a #!/usr/bin/env node script, sh -c — the busiest',
    'process\'s profile; when no node process ran: perf, in one extra run), flame graph and findings are reported. --budget FILE holds the job to',
    '"jobs": { NAME: { "duration_s": { "max": 30 } } } (also job_duration_s, cpu_s, peak_rss_mb); crossing one exits 99.',
    'NAME defaults to the script\'s file name without extension (npm run NAME: the script\'s name). A run that exits non-zero makes the command exit 1.',
  ].join('\n'),
  positionals: true,
  options: {
    name: { type: 'string', arg: 'NAME', description: "the job's name: its key under the budget's jobs" },
    runs: { type: 'string', arg: 'N', description: 'measured runs (default 5; with --duration, the most runs)' },
    duration: { type: 'string', arg: 'TIME', description: 'keep running until this much time is used up (e.g. 30s)' },
    warmup: { type: 'string', arg: 'N', description: 'runs before the measured ones, not counted', default: '0' },
    budget: { type: 'string', arg: 'FILE', description: 'performance budget JSON with a "jobs" section' },
    profile: { type: 'string', arg: 'WHO', description: 'profiler: auto (V8 in any node process, else perf), node, perf, none', default: 'auto' },
    interval: { type: 'string', arg: 'US', description: 'sampling interval of the Node profiler in µs', default: '1000' },
    out: { type: 'string', arg: 'DIR', description: 'run folders go to DIR/<run-id>/', default: 'perfloop-report' },
    label: { type: 'string', arg: 'TEXT', description: "the iteration's change, e.g. \"cache the lookup\"" },
    store: STORE_OPTION,
    'no-store': { type: 'boolean', description: 'do not record the run in the history' },
    quiet: { type: 'boolean', short: 'q', description: "do not pass the job's output through" },
    json: { type: 'boolean', description: 'print perfloop/job@1 JSON' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, argv, io) {
    if (argv.length === 0)
      throw new PerfloopError('USAGE', 'nothing to run: give the job after --, e.g. perfloop job -- node nightly-report.js', { hint: this.usage });
    const runs = int(v, 'runs', 1);
    const durationText = str(v, 'duration');
    const durationMs = durationText === undefined ? undefined : parseDuration(durationText);
    if (durationText !== undefined && (durationMs === undefined || durationMs <= 0))
      throw new PerfloopError('USAGE', `--duration: not a duration: ${JSON.stringify(durationText)}`, { hint: 'e.g. 30s, 2m' });
    const profile = str(v, 'profile') ?? 'auto';
    if (!PROFILERS.includes(profile as JobProfilerChoice))
      throw new PerfloopError('USAGE', `--profile: ${JSON.stringify(profile)} is not one of ${PROFILERS.join(', ')}`);
    const budgetPath = str(v, 'budget');
    const budget = budgetPath ? loadBudget(resolve(io.cwd, budgetPath)) : undefined;
    const name = str(v, 'name');
    const result = await runJob({
      argv,
      name,
      runs,
      durationMs,
      warmup: int(v, 'warmup', 0),
      profile: profile as JobProfilerChoice,
      intervalUs: int(v, 'interval', 10),
      budget,
      label: str(v, 'label'),
      command: `perfloop job ${process.argv.slice(3).join(' ')}`.trim(),
      cwd: io.cwd,
      outDir: resolve(io.cwd, str(v, 'out') ?? 'perfloop-report'),
      storePath: v['no-store'] ? null : storeFlag(v, io),
      // --json keeps stdout for the JSON: the job's own output goes to stderr then.
      stdio: v.quiet ? 'ignore' : v.json ? 'stderr' : 'inherit',
      signal: io.signal,
      log: (line) => io.err(`perfloop: ${line}\n`),
      onRun: (r, n) => {
        if (io.isTTY) io.err(`perfloop: run ${n}: ${r.wallS.toFixed(3)} s wall, ${r.cpuS?.toFixed(3) ?? '?'} s CPU, exit ${r.exitCode ?? r.signal}\n`);
      },
    });
    if (budget && result.budget.length === 0)
      result.record.warnings.push(`the budget ${budgetPath} has no limits for job ${JSON.stringify(result.job.name)} (its jobs: ${Object.keys(budget.jobs ?? {}).join(', ') || 'none'})`);
    io.out(v.json ? `${JSON.stringify(jobJson(result), null, 2)}\n` : jobText(result));
    if (result.aborted || result.job.runs.some((r) => r.exitCode !== 0)) return EXIT.runtime;
    if (result.budget.some((b) => !b.pass)) return EXIT.thresholds;
    return EXIT.ok;
  },
};
