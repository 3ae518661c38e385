/**
 * `perfloop profile --with perf|py-spy -- CMD`: run a system profiler around any command (Python, Go, Rust,
 * Java …) and keep its output for the importers. perf: `perf record -g` on the cpu-clock software event (works in
 * containers without hardware counters), then `perf script`; Node targets get --perf-basic-prof-only-functions so their
 * JavaScript frames have names. py-spy: `py-spy record --format raw` (folded stacks).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfloopError } from '../../core/errors.js';
import type { CaptureResult } from './node-agent.js';
import { spawnGroup, waitFor } from './process-group.js';

export interface ExternalCaptureOptions {
  tool: 'perf' | 'py-spy';
  argv: readonly string[];
  out: string;
  durationMs: number;
  /** Samples per second. */
  frequency?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Where the profiled command's output goes (default: this process's). */
  stdio?: 'inherit' | 'ignore';
}

export function toolInstalled(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

const INSTALL: Record<string, string> = {
  perf: 'apt-get install linux-perf (Debian) or linux-tools-$(uname -r) (Ubuntu)',
  'py-spy': 'pip install py-spy',
};

export async function captureWith(o: ExternalCaptureOptions): Promise<CaptureResult> {
  if (!toolInstalled(o.tool))
    throw new PerfloopError('PROFILER_MISSING', `${o.tool} is not installed`, {
      hint: INSTALL[o.tool],
      exitCode: 2,
    });
  const hz = o.frequency ?? 499;
  if (o.tool === 'py-spy') {
    const args = [
      'record',
      '--format',
      'raw',
      '--rate',
      String(hz),
      '--duration',
      String(Math.max(1, Math.round(o.durationMs / 1000))),
      '--output',
      o.out,
      '--',
      ...o.argv,
    ];
    const p = await spawnGroup('py-spy', args, { stdio: o.stdio ?? 'inherit' });
    const why = await waitFor(o.durationMs + 10_000, o.signal, p.exited);
    if (why !== 'settled') await p.stop('SIGINT');
    const exit = await p.exited;
    if (exit.code !== 0 && exit.signal === null)
      throw new PerfloopError('PROFILER_FAILED', `py-spy exited with ${exit.code}`, { exitCode: 1 });
    return { path: o.out, via: 'py-spy' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'perfloop-perf-'));
  const data = join(dir, 'perf.data');
  const mapsBefore = new Set(perfMaps());
  try {
    // "-only-functions": JS functions are what the flame graph needs, and unlike plain --perf-basic-prof
    // (Node 20) it does not also leave an isolate-*-v8.log in the user's working directory.
    const env = {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --perf-basic-prof-only-functions`.trim(),
    };
    const p = await spawnGroup(
      'perf',
      ['record', '-e', 'cpu-clock', '-F', String(hz), '-g', '-o', data, '--', ...o.argv],
      { env, stdio: o.stdio ?? 'inherit' },
    );
    o.log?.(
      `perf is recording ${o.argv.join(' ')} for ${Math.round(o.durationMs / 1000)} s (Ctrl-C stops early)`,
    );
    const why = await waitFor(o.durationMs, o.signal, p.exited);
    if (why !== 'settled') await p.stop('SIGINT', 10_000); // perf writes its data on SIGINT
    const exit = await p.exited;
    if (exit.code !== 0 && exit.code !== null && why === 'settled') {
      throw new PerfloopError('PROFILER_FAILED', `perf record exited with ${exit.code}`, {
        hint: 'perf may need kernel.perf_event_paranoid ≤ 1, or root',
        exitCode: 1,
      });
    }
    await new Promise<void>((resolve, reject) => {
      const script = spawn('perf', ['script', '-i', data], { stdio: ['ignore', 'pipe', 'ignore'] });
      const file = createWriteStream(o.out);
      script.stdout.pipe(file);
      script.once('error', reject);
      file.once('finish', () => resolve());
      file.once('error', reject);
    });
    return { path: o.out, via: 'perf' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    // The JIT symbol maps the profiled Node processes wrote (/tmp/perf-PID.map) are needed only by perf script.
    for (const f of perfMaps())
      if (!mapsBefore.has(f) && !alive(Number(/perf-(\d+)\.map$/.exec(f)![1]))) rmSync(f, { force: true });
  }
}

function perfMaps(): string[] {
  try {
    return readdirSync('/tmp')
      .filter((f) => /^perf-\d+\.map$/.test(f))
      .map((f) => join('/tmp', f));
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
