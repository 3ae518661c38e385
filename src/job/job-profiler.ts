/**
 * Which profiler a job's runs get, and how. Node code gets V8's own sampling profiler in every measured run —
 * cheap (a 1 ms sampler inside the process, written at exit) — so the representative run's profile is that run's
 * own. It reaches every node process of the job's tree, however started (`node job.js`, `npm run x`, `npx tsx
 * job.ts`, a `#!/usr/bin/env node` script, `sh -c 'node a.js && node b.js'`), through a preload in NODE_OPTIONS
 * (./cpu-prof-preload.ts; Node refuses --cpu-prof there). Of the profiles one run writes, the busiest — the most
 * time on the CPU — of the processes that are not launchers is the job's: a launcher (npm, npx, yarn, pnpm,
 * corepack, tsx's or ts-node's CLI) mostly starts and waits for its child, yet npm's own start-up is ~0.5 s of
 * CPU and outweighs a short job, so "busiest" alone would pick npm; merging them would bury the job under it.
 * Only when every process is a launcher (a job written as an npm script that is all npm) is the busiest shown. Other runtimes go through `perf record` (src/profile/capture/external.ts),
 * in one extra run after the measured ones: perf's start-up and `perf script` would otherwise count in the
 * measured wall times. In auto mode a command that is not `node …` is run with the preload too (it costs nothing
 * when no node process starts); perf is the fallback when no node process wrote a profile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerfloopError } from '../core/errors.js';
import { toolInstalled } from '../profile/capture/external.js';
import { JOB_PROFILE_DIR_ENV, JOB_PROFILE_INTERVAL_ENV } from './cpu-prof-preload.js';

export type JobProfilerChoice = 'auto' | 'node' | 'perf' | 'none';
export type JobProfiler = 'node' | 'perf' | 'none';

export function isNodeCommand(argv: readonly string[]): boolean {
  const first = argv[0] ?? '';
  return /(^|\/)node(js)?$/.test(first) || first === process.execPath;
}

export interface ProfilerChoice {
  profiler: JobProfiler;
  /** With the node profiler: perf when no node process of the job wrote a profile (auto mode, a non-`node` command). */
  fallback?: 'perf' | null;
  warning?: string;
}

export function chooseProfiler(argv: readonly string[], requested: JobProfilerChoice): ProfilerChoice {
  if (requested === 'none') return { profiler: 'none' };
  // Explicitly node: whatever starts it (npm, npx, a shebang script, a shell); no profile at the end is a warning.
  if (requested === 'node') return { profiler: 'node', fallback: null };
  if (requested === 'perf') {
    if (!toolInstalled('perf'))
      throw new PerfloopError('PROFILER_MISSING', 'perf is not installed', {
        hint: 'apt-get install linux-perf (Debian) or linux-tools-$(uname -r) (Ubuntu); or --profile none',
      });
    return { profiler: 'perf' };
  }
  if (isNodeCommand(argv)) return { profiler: 'node', fallback: null };
  return { profiler: 'node', fallback: toolInstalled('perf') ? 'perf' : null };
}

const PRELOAD = fileURLToPath(new URL('./cpu-prof-preload.js', import.meta.url));

/** NODE_OPTIONS quoting: Node splits on spaces and honours double quotes (with \" and \\ escapes). */
const nodeOptionQuote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** The environment that makes every node process of the job write its CPU profile into `dir` at exit. */
export function nodeProfilingEnv(dir: string, intervalUs: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const own = `--import=${nodeOptionQuote(`file://${PRELOAD}`)}`;
  return {
    ...base,
    NODE_OPTIONS: base.NODE_OPTIONS ? `${base.NODE_OPTIONS} ${own}` : own,
    [JOB_PROFILE_DIR_ENV]: dir,
    [JOB_PROFILE_INTERVAL_ENV]: String(intervalUs),
  };
}

export interface RunProfiles {
  /** The job's profile: the busiest (most sampled time not idle) of the processes that are not launchers. */
  busiest: string;
  busyMs: number;
  /** Every profile the run wrote, the job's first, then busiest first. */
  all: { file: string; busyMs: number; launcher: boolean }[];
}

interface CpuProfileJson {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Sampled time (ms) a .cpuprofile spent anywhere but (idle): how much the process computed. */
function busyMs(file: string): number {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfileJson;
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  let us = 0;
  // timeDeltas[i] is the time before sample i: the interval sample i stands for ends at it, so it is charged the next delta.
  for (let i = 0; i < samples.length; i++) if (!idle.has(samples[i])) us += deltas[i + 1] ?? deltas[i] ?? 0;
  return us / 1000;
}

/** Programs that start the job rather than being it, by the script node ran (process.argv[1]'s file name). */
const LAUNCHERS = new Set(['npm-cli.js', 'npx-cli.js', 'npm', 'npx', 'yarn', 'yarn.js', 'yarn.cjs', 'pnpm', 'pnpm.cjs', 'pnpx', 'corepack', 'corepack.js', 'tsx', 'ts-node']);
const LAUNCHER_PATH = /[\\/](tsx|ts-node)[\\/]dist[\\/](cli|bin)\.[cm]?js$/;

function isLauncher(profileFile: string): boolean {
  try {
    const script = (JSON.parse(readFileSync(profileFile.replace(/\.cpuprofile$/, '.argv.json'), 'utf8')) as string[])[1] ?? '';
    return LAUNCHERS.has(basename(script)) || LAUNCHER_PATH.test(script);
  } catch {
    return false;
  }
}

/** The profiles one run's node processes wrote, or null when none did (no node in the job, or it was killed). */
export function runProfiles(dir: string): RunProfiles | null {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return null;
  }
  const all = files
    .map((f) => {
      const file = join(dir, f);
      try {
        return { file, busyMs: busyMs(file), launcher: isLauncher(file) };
      } catch {
        return null; // a profile cut short (the process was killed while writing) is not evidence
      }
    })
    .filter((x): x is RunProfiles['all'][number] => x !== null)
    .sort((a, b) => Number(a.launcher) - Number(b.launcher) || b.busyMs - a.busyMs);
  return all.length === 0 ? null : { busiest: all[0].file, busyMs: all[0].busyMs, all };
}

const INTERPRETERS = /^(node|nodejs|python\d*(\.\d+)?|ruby|perl|php|bash|sh|deno|java|npx|tsx|ts-node|env)$/;
const PACKAGE_MANAGERS = /^(npm|pnpm|yarn|bun)$/;
const SCRIPT_VERBS = /^(run|run-script|exec|x|dlx)$/;

/**
 * The job's default name: its script's file name without extension (`node nightly-report.js` → nightly-report),
 * through launchers (`npx tsx jobs/nightly.ts` → nightly) and package scripts (`npm run nightly` → nightly).
 */
export function defaultJobName(argv: readonly string[]): string {
  const words = argv.filter((a, i) => i === 0 || !a.startsWith('-'));
  let i = 0;
  while (i < words.length - 1) {
    const w = basename(words[i]);
    if (INTERPRETERS.test(w)) i++;
    else if (PACKAGE_MANAGERS.test(w)) i += SCRIPT_VERBS.test(words[i + 1] ?? '') ? 2 : 1;
    else break;
  }
  const file = basename(words[Math.min(i, words.length - 1)] ?? 'job');
  return file.replace(/\.[^.]+$/, '') || basename(argv[0] ?? 'job');
}
