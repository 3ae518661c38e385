/**
 * One run of a job, measured: wall time, CPU time (user + sys) of the whole process tree, peak RSS, I/O bytes
 * and the exit status. The command runs under a small `sh` wrapper that, once the command has ended, copies
 * its own /proc/<pid>/stat and /proc/<pid>/io to a file: the kernel adds every reaped descendant's CPU time to
 * the wrapper's cutime/cstime and its I/O to the wrapper's io counters, so the tree's totals survive the
 * processes themselves (a /proc sampler misses whatever a short-lived child did between two ticks).
 * Formats: https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html, https://man7.org/linux/man-pages/man5/proc_pid_io.5.html
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobRunMeasurement } from '../core/run.js';
import { shellCommand, spawnGroup, type GroupProcess } from '../profile/capture/process-group.js';
import { kernelConstants, parseProcStat } from '../target/proc-stat.js';
import { TreeMemorySampler } from './tree-memory.js';

export interface MeasureOptions {
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The job's output: passed through, dropped, or sent to this process's stderr (stdout carries JSON). */
  stdio?: JobStdio;
  signal?: AbortSignal;
  /** Index of the run (0-based), recorded with it. */
  index: number;
}

export type JobStdio = 'inherit' | 'ignore' | 'stderr';

const STDIO = { inherit: 'inherit', ignore: 'ignore', stderr: ['ignore', 2, 2] } as const;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The wrapper script: run the command, then record the shell's own accounting (its reaped children's). */
export function wrapperScript(argv: readonly string[], statsFile: string): string {
  return [
    shellCommand(argv),
    'perfloop_status=$?',
    // Shell builtins only (read, echo): a `cat` here would be one more fork and exec inside the measured wall time.
    `{ read -r l < /proc/$$/stat && echo "$l" && while read -r l; do echo "$l"; done < /proc/$$/io; } > ${quote(statsFile)} 2>/dev/null`,
    'exit $perfloop_status',
  ].join('\n');
}

interface WrapperStats {
  cpuUserS: number;
  cpuSysS: number;
  io: JobRunMeasurement['io'];
}

export function parseWrapperStats(text: string): WrapperStats | null {
  const nl = text.indexOf('\n');
  const stat = parseProcStat(nl < 0 ? text : text.slice(0, nl));
  if (!stat) return null;
  const close = text.lastIndexOf(')', nl < 0 ? undefined : nl);
  const fields = text.slice(close + 2, nl).trim().split(' ');
  const tick = kernelConstants().clockTicksPerSecond;
  // fields[0] is field 3 (state): cutime is field 16, cstime field 17.
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  const io: Record<string, number> = {};
  for (const line of text.slice(nl + 1).split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) io[m[1]] = Number(m[2]);
  }
  return {
    cpuUserS: cutime / tick,
    cpuSysS: cstime / tick,
    io: {
      readBytes: io.rchar ?? null,
      writeBytes: io.wchar ?? null,
      storageReadBytes: io.read_bytes ?? null,
      storageWriteBytes: io.write_bytes ?? null,
    },
  };
}

/** Runs the command once. Resolves when it has ended (or was stopped by `signal`). */
export async function measureRun(o: MeasureOptions): Promise<JobRunMeasurement & { aborted: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'perfloop-job-'));
  const statsFile = join(dir, 'stats');
  let group: GroupProcess | undefined;
  const onAbort = () => void group?.stop('SIGTERM', 1000);
  try {
    const started = process.hrtime.bigint();
    const startedAt = new Date().toISOString();
    group = await spawnGroup('/bin/sh', ['-c', wrapperScript(o.argv, statsFile)], {
      env: o.env ?? process.env,
      cwd: o.cwd,
      stdio: STDIO[o.stdio ?? 'inherit'] as 'inherit' | 'ignore' | ['ignore', number, number],
    });
    const memory = new TreeMemorySampler(group.child.pid!);
    memory.start();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) onAbort();
    const exit = await group.exited;
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const peakRssMb = memory.stop();
    let stats: WrapperStats | null = null;
    try {
      stats = parseWrapperStats(readFileSync(statsFile, 'latin1'));
    } catch {
      /* killed before the wrapper could write: CPU and I/O unknown */
    }
    const cpuS = stats ? stats.cpuUserS + stats.cpuSysS : null;
    return {
      index: o.index,
      startedAt,
      wallS,
      cpuUserS: stats?.cpuUserS ?? null,
      cpuSysS: stats?.cpuSysS ?? null,
      cpuS,
      offCpuS: cpuS === null ? null : Math.max(0, wallS - cpuS),
      peakRssMb: Math.round(peakRssMb * 10) / 10,
      io: stats?.io ?? { readBytes: null, writeBytes: null, storageReadBytes: null, storageWriteBytes: null },
      exitCode: exit.code,
      signal: exit.signal,
      aborted: o.signal?.aborted ?? false,
    };
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (group && !group.hasExited()) await group.stop('SIGKILL', 100);
    rmSync(dir, { recursive: true, force: true });
  }
}
