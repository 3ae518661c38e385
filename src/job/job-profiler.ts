/**
 * Which profiler a job's runs get, and how. Node commands (`node script.js …`) get V8's own --cpu-prof on every
 * run — cheap (a 1 ms sampler inside the process, written at exit) — so the representative run's profile is that
 * run's own. The perfloop agent stays dormant in a job (it wakes when a process listens on a TCP port; a batch
 * job never does), so --cpu-prof is the agent path's way to profile a script that exits, as `perfloop profile`
 * does. Other runtimes go through `perf record` (src/profile/capture/external.ts), in one extra run after the
 * measured ones: perf's start-up and `perf script` would otherwise count in the measured wall times.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PerfloopError } from '../core/errors.js';
import { toolInstalled } from '../profile/capture/external.js';

export type JobProfilerChoice = 'auto' | 'node' | 'perf' | 'none';
export type JobProfiler = 'node' | 'perf' | 'none';

export function isNodeCommand(argv: readonly string[]): boolean {
  const first = argv[0] ?? '';
  return /(^|\/)node(js)?$/.test(first) || first === process.execPath;
}

export function chooseProfiler(
  argv: readonly string[],
  requested: JobProfilerChoice,
): { profiler: JobProfiler; warning?: string } {
  if (requested === 'none') return { profiler: 'none' };
  if (requested === 'node') {
    if (!isNodeCommand(argv))
      throw new PerfloopError('USAGE', `--profile node: ${JSON.stringify(argv[0])} is not node`, {
        hint: 'the command must start with node (e.g. -- node job.js); for another runtime use --profile perf',
      });
    return { profiler: 'node' };
  }
  if (requested === 'perf') {
    if (!toolInstalled('perf'))
      throw new PerfloopError('PROFILER_MISSING', 'perf is not installed', {
        hint: 'apt-get install linux-perf (Debian) or linux-tools-$(uname -r) (Ubuntu); or --profile none',
      });
    return { profiler: 'perf' };
  }
  if (isNodeCommand(argv)) return { profiler: 'node' };
  if (toolInstalled('perf')) return { profiler: 'perf' };
  return {
    profiler: 'none',
    warning: 'not profiled: the command is not node and perf is not installed (apt-get install linux-perf)',
  };
}

/** `node …` with V8's CPU profiler writing into `dir` when the process exits. */
export function withCpuProf(argv: readonly string[], dir: string, intervalUs: number): string[] {
  const out = [...argv];
  out.splice(1, 0, '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${intervalUs}`);
  return out;
}

/** The run's main profile: the biggest .cpuprofile in its folder (child node processes write small ones too). */
export function biggestCpuProfile(dir: string): string | null {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return null;
  }
  if (files.length === 0) return null;
  return files.map((f) => join(dir, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

const INTERPRETERS = /^(node|nodejs|python\d*(\.\d+)?|ruby|perl|php|bash|sh|deno|bun|java|npx|tsx|ts-node)$/;

/** The job's default name: its script's file name without extension (`node nightly-report.js` → nightly-report). */
export function defaultJobName(argv: readonly string[]): string {
  const first = basename(argv[0] ?? 'job');
  let file = first;
  if (INTERPRETERS.test(first)) {
    const script = argv.slice(1).find((a) => !a.startsWith('-'));
    if (script) file = basename(script);
  }
  return file.replace(/\.[^.]+$/, '') || first;
}
