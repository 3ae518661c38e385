/**
 * `perfloop profile -- node app.js`: run the command with the perfloop agent preloaded and take a CPU profile
 * through it (the inspector inside the target) for the duration. A server is profiled from the moment it
 * listens. A script that exits before it listens is covered by Node's own --cpu-prof, added to the command when it
 * starts with `node` (Node does not take --cpu-prof from NODE_OPTIONS) and written when the script ends.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentCollector } from '../../agent/collector.js';
import { PerfloopError } from '../../core/errors.js';
import { shellCommand, spawnGroup, waitFor } from './process-group.js';

export interface NodeCaptureOptions {
  argv: readonly string[];
  out: string;
  durationMs: number;
  /** Sampling interval in µs (V8's default is 1000). */
  intervalUs?: number;
  /** How long to wait for a server to start listening. */
  agentTimeoutMs?: number;
  signal?: AbortSignal;
  cwd?: string;
  /** Where the target's output goes (default: this process's). */
  stdio?: 'inherit' | 'ignore';
  log?: (line: string) => void;
}

export interface CaptureResult {
  path: string;
  /** How the profile was taken. */
  via: 'agent' | 'cpu-prof' | 'inspector' | 'perf' | 'py-spy';
  samples?: number;
}

export async function captureNode(o: NodeCaptureOptions): Promise<CaptureResult> {
  const interval = o.intervalUs ?? 1000;
  const collector = await AgentCollector.listen();
  const dir = mkdtempSync(join(tmpdir(), 'perfloop-cpuprof-'));
  const env = collector.targetEnv();
  const argv = [...o.argv];
  if (/(^|\/)node(js)?$/.test(argv[0] ?? '') || argv[0] === process.execPath) {
    argv.splice(1, 0, '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${interval}`);
  }
  const target = await spawnGroup('/bin/sh', ['-c', shellCommand(argv)], {
    env: { ...process.env, ...env },
    cwd: o.cwd,
    stdio: o.stdio ?? 'inherit',
  });
  const waits = new AbortController(); // ends the waits that lost the race, so no timer keeps the CLI alive
  try {
    const timeoutMs = o.agentTimeoutMs ?? 30_000;
    const agent = await Promise.race([
      new Promise<'agent'>((resolve) =>
        collector.connected ? resolve('agent') : collector.once('agent', () => resolve('agent')),
      ),
      target.exited.then(() => 'exited' as const),
      waitFor(timeoutMs, o.signal ? AbortSignal.any([o.signal, waits.signal]) : waits.signal).then(() =>
        o.signal?.aborted ? ('aborted' as const) : ('timeout' as const),
      ),
    ]);
    waits.abort();
    if (agent === 'agent') {
      await collector.startProfile(interval);
      o.log?.(
        `profiling pid ${collector.hello?.pid} for ${Math.round(o.durationMs / 1000)} s (Ctrl-C stops early)`,
      );
      await waitFor(o.durationMs, o.signal, target.exited);
      if (!target.hasExited() && collector.connected) {
        const r = await collector.stopProfile(o.out);
        return { path: r.path, via: 'agent', samples: r.samples };
      }
      await target.exited; // it ended while profiled: its --cpu-prof covers the run
    } else if (agent !== 'exited') {
      await target.stop();
      if (agent === 'aborted')
        throw new PerfloopError('ABORTED', 'stopped before the target started listening', { exitCode: 1 });
      throw new PerfloopError(
        'AGENT_NOT_CONNECTED',
        `${shellCommand(o.argv)}: no Node process started listening within ${Math.round((o.agentTimeoutMs ?? 30_000) / 1000)} s`,
        {
          hint: 'the target must be a Node ≥ 20 process; for another runtime use --with perf or --with py-spy',
          exitCode: 1,
        },
      );
    }
    // The script ran to its end: take the biggest --cpu-prof file (the wrapper processes write small ones too).
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f));
    if (files.length === 0) {
      throw new PerfloopError('PROFILE_MISSING', `${shellCommand(o.argv)} exited without a CPU profile`, {
        hint: 'was it a Node process? It must exit normally (not be killed) for --cpu-prof to be written',
        exitCode: 1,
      });
    }
    const biggest = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    copyFileSync(biggest, o.out);
    return { path: o.out, via: 'cpu-prof' };
  } finally {
    if (!target.hasExited()) await target.stop();
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
