/**
 * `perfloop job -- CMD…` as the method's steps: prepare (profiler, folder), warm up, measure the runs one after
 * another, pick the representative run (closest to the median duration), profile and analyse it, check the budget,
 * write the run folder and store the run.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfloopError } from '../core/errors.js';
import type { Profile } from '../core/profile.js';
import { newRunId, type JobRecord, type JobRunMeasurement, type RunRecord } from '../core/run.js';
import type { Budget } from '../gate/budget.js';
import { checkJobBudget, type JobBudgetResult } from '../gate/budget-jobs.js';
import { gitInfo } from '../loop/git.js';
import { writeRunReports } from '../loop/write-reports.js';
import { analyseProfile, type ProfileAnalysis } from '../profile/analyse/index.js';
import { captureWith } from '../profile/capture/external.js';
import { importProfileFile } from '../profile/import/index.js';
import { storeRun } from '../store/open-store.js';
import { createRunFolder, pointLink } from '../store/artifacts.js';
import {
  chooseProfiler,
  defaultJobName,
  isNodeCommand,
  nodeProfilingEnv,
  runProfiles,
  type JobProfiler,
  type JobProfilerChoice,
  type ProfilerChoice,
} from './job-profiler.js';
import { ciWidths, summariseJob } from './job-stats.js';
import { jobRunRecord } from './job-record.js';
import { measureRun, type JobStdio } from './measure-run.js';

export interface JobOptions {
  argv: string[];
  name?: string;
  /** Measured runs (default 5); with `durationMs`, the most runs. */
  runs?: number;
  /** Keep running until this much time is used up (at least 2 runs, for an interval). */
  durationMs?: number;
  /** Runs before the measured ones, not counted (caches, JIT, page cache). */
  warmup?: number;
  profile?: JobProfilerChoice;
  intervalUs?: number;
  budget?: Budget;
  label?: string;
  /** The perfloop command line, for the record's Measurement Method. */
  command?: string;
  cwd: string;
  /** Base folder: the job writes `<outDir>/<run-id>/`; null writes nothing. */
  outDir: string | null;
  storePath: string | null;
  stdio?: JobStdio;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Called after each measured run (live progress). */
  onRun?: (run: JobRunMeasurement, done: number) => void;
}

export interface JobResult {
  record: RunRecord;
  job: JobRecord;
  /** Width of the duration CI after 2, 3, … runs. */
  ciWidths: number[];
  analysis: ProfileAnalysis | null;
  /** The profiler whose profile the report shows (auto mode: node when a node process wrote one, else perf). */
  profiler: JobProfiler;
  /** Whether the profile is the representative run's own, or from one extra run like it (perf). */
  profileOf: 'representative' | 'extra-run' | null;
  budget: JobBudgetResult[];
  runDir: string | null;
  aborted: boolean;
}

const MAX_RUNS_WITH_DURATION = 10_000;

export async function runJob(o: JobOptions): Promise<JobResult> {
  if (o.argv.length === 0) throw new PerfloopError('USAGE', 'no command: give it after --, e.g. perfloop job -- node job.js');
  const name = o.name ?? defaultJobName(o.argv);
  const choice = chooseProfiler(o.argv, o.profile ?? 'auto');
  const { profiler } = choice;
  const warnings = choice.warning ? [choice.warning] : [];
  const scratch = mkdtempSync(join(tmpdir(), 'perfloop-job-prof-'));
  const startedAt = new Date();
  const id = newRunId(startedAt);
  try {
    await warmUp(o);
    const runs = await measureRuns(o, profiler, scratch);
    const aborted = o.signal?.aborted ?? false;
    if (runs.length === 0)
      throw new PerfloopError('JOB_INTERRUPTED', 'interrupted before a run completed: nothing to report', { exitCode: 1 });
    if (aborted) warnings.push(`interrupted: ${runs.length} run(s) completed`);
    const failed = runs.filter((r) => r.exitCode !== 0);
    if (failed.length > 0)
      warnings.push(`${failed.length} of ${runs.length} runs failed (exit ${[...new Set(failed.map((r) => r.exitCode ?? r.signal))].join(', ')})`);
    const job = summariseJob(name, o.argv, runs);
    const runDir = o.outDir === null ? null : createRunFolder(o.outDir, id);
    const prof = aborted ? null : await profileRepresentative(o, choice, job, scratch, runDir ?? scratch, warnings);
    const analysis = prof ? analyseProfile(prof.profile, { top: 10 }) : null;
    const artifacts: Record<string, string> = {};
    if (prof && runDir) artifacts.profile = prof.file;
    const budget = checkJobBudget(o.budget?.jobs, job);
    const record = jobRunRecord({
      id,
      label: o.label ?? '',
      startedAt,
      job,
      git: gitInfo(o.cwd),
      findings: analysis?.findings ?? [],
      top: (analysis?.top ?? []).map((t) => ({ name: t.name, file: t.file, line: t.line, category: t.category, selfPct: t.selfPct, totalPct: t.totalPct, action: t.action })),
      categories: analysis?.categories ?? null,
      profiler: prof?.via ?? null,
      artifacts,
      budget: jobBudgetTargets(budget),
      command: o.command ?? `perfloop job -- ${o.argv.join(' ')}`,
      warnings,
    });
    if (runDir) {
      // flame.html, report.md, report.html (the dashboard's job page) and report.json, as a service run has them.
      writeRunReports(runDir, record, prof?.profile ?? null);
      await storeRun(o.storePath, record, runDir);
      pointLink(o.outDir!, id);
    }
    return {
      record,
      job,
      ciWidths: ciWidths(runs.map((r) => r.wallS)),
      analysis,
      profiler: prof?.profiler ?? (profiler === 'perf' ? 'perf' : 'none'),
      profileOf: prof ? prof.of : null,
      budget,
      runDir,
      aborted,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function warmUp(o: JobOptions): Promise<void> {
  for (let i = 0; i < (o.warmup ?? 0) && !o.signal?.aborted; i++) {
    o.log?.(`warm-up run ${i + 1} of ${o.warmup}`);
    await measureRun({ argv: o.argv, cwd: o.cwd, stdio: o.stdio, signal: o.signal, index: -1 - i });
  }
}

async function measureRuns(o: JobOptions, profiler: JobProfiler, scratch: string): Promise<JobRunMeasurement[]> {
  const maxRuns = o.durationMs !== undefined ? (o.runs ?? MAX_RUNS_WITH_DURATION) : (o.runs ?? 5);
  const until = o.durationMs !== undefined ? Date.now() + o.durationMs : Infinity;
  const runs: JobRunMeasurement[] = [];
  while (runs.length < maxRuns && !o.signal?.aborted && (runs.length < 2 || Date.now() < until)) {
    const i = runs.length;
    const env = profiler === 'node' ? nodeProfilingEnv(join(scratch, `run-${i}`), o.intervalUs ?? 1000) : undefined;
    const { aborted, ...run } = await measureRun({ argv: o.argv, env, cwd: o.cwd, stdio: o.stdio, signal: o.signal, index: i });
    if (aborted) break; // a run cut short by Ctrl-C is not a measurement
    run.index = i;
    runs.push(run);
    o.onRun?.(run, runs.length);
  }
  return runs;
}

async function profileRepresentative(
  o: JobOptions,
  choice: ProfilerChoice,
  job: JobRecord,
  scratch: string,
  dir: string,
  warnings: string[],
): Promise<{ profile: Profile; file: string; via: string; of: 'representative' | 'extra-run'; profiler: JobProfiler } | null> {
  if (choice.profiler === 'none') return null;
  try {
    if (choice.profiler === 'node') {
      const found = runProfiles(join(scratch, `run-${job.representativeRun}`));
      if (found) {
        copyFileSync(found.busiest, join(dir, 'profile.cpuprofile'));
        const profile = await importProfileFile(join(dir, 'profile.cpuprofile'));
        const others = found.all.slice(1);
        const via =
          `V8 CPU profiler (${o.intervalUs ?? 1000} µs) in every node process of every run (NODE_OPTIONS preload); the representative run's` +
          (others.length === 0
            ? ' profile'
            : ` profile from the busiest of its ${found.all.length} node processes that is not a launcher (${Math.round(found.busyMs)} ms on the CPU; the others ${others.map((x) => `${Math.round(x.busyMs)} ms${x.launcher ? ' (a launcher: npm, npx, tsx…)' : ''}`).join(', ')})`);
        return { profile, file: 'profile.cpuprofile', via, of: 'representative', profiler: 'node' };
      }
      if (choice.fallback !== 'perf') {
        const perfMissing = o.profile !== 'node' && !isNodeCommand(o.argv);
        warnings.push(
          `not profiled: no node process of the representative run wrote a CPU profile (did it exit normally?)${perfMissing ? '; for other runtimes install perf (apt-get install linux-perf)' : ''}`,
        );
        return null;
      }
    }
    o.log?.('profiling one more run with perf');
    const longest = Math.max(...job.runs.map((r) => r.wallS));
    const out = join(dir, 'profile.perf.txt');
    await captureWith({ tool: 'perf', argv: o.argv, out, durationMs: Math.ceil(longest * 3000) + 10_000, signal: o.signal, stdio: o.stdio === 'inherit' ? 'inherit' : 'ignore' });
    const profile = await importProfileFile(out);
    return { profile, file: 'profile.perf.txt', via: 'perf record -e cpu-clock -g (499 Hz) in one extra run after the measured ones', of: 'extra-run', profiler: 'perf' };
  } catch (e) {
    warnings.push(`not profiled: ${(e as Error).message}`);
    return null;
  }
}

/** The job's limits as metric → number, for the report's Target column (a service budget's limits do not apply). */
function jobBudgetTargets(results: JobBudgetResult[]): Record<string, number> | null {
  return results.length === 0 ? null : Object.fromEntries(results.map((r) => [r.metric, r.limit]));
}
