/**
 * startTarget: run the user's service (`/bin/sh -c <command>` in its own process group), wait until
 * it is ready, and hand back a RunningTarget — or fail with one clear line saying why it did not come
 * up (exited early, or never became ready), quoting what it printed to stderr.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { PerfloopError } from '../core/errors.js';
import { summarizeOutput } from './output-summary.js';
import { describeReadyCheck, pollUntilReady, probe, validateReadyCheck } from './ready.js';
import { RING_LINES, SpawnedTarget } from './running-target.js';
import type { TargetExit, TargetOptions, RunningTarget } from './types.js';

const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** Without a ReadyCheck, a target that stays up this long counts as ready. */
const ALIVE_MS_WITHOUT_CHECK = 1000;
/** After an early exit, how long to wait for the last stderr bytes before writing the error. */
const OUTPUT_DRAIN_MS = 500;
/** A target that failed to start gets this long to go after SIGTERM. */
const FAILED_START_GRACE_MS = 2000;

export async function startTarget(options: TargetOptions): Promise<RunningTarget> {
  const { command } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  validateOptions(options, readyTimeoutMs);
  if (options.ready && (await probe(options.ready)).ok) {
    // Otherwise readiness would be a lie: perfloop would load-test whatever already answers there.
    throw new PerfloopError(
      'TARGET_PORT_IN_USE',
      `before starting "${command}", its ready check (${describeReadyCheck(options.ready)}) already passes: something else is serving there`,
      { hint: 'stop the other process (an earlier run of the service?) or use another port', exitCode: 2 },
    );
  }

  const child = spawn('/bin/sh', ['-c', command], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true, // own process group: stop() signals the wrapper and everything it started
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawnError || child.pid === undefined) {
    throw new PerfloopError('TARGET_SPAWN_FAILED', `could not start "${command}": ${spawnError?.message}`, {
      exitCode: 2,
      cause: spawnError,
    });
  }
  const target = new SpawnedTarget(child as typeof child & { pid: number }, command, options);

  const failure = await waitUntilReady(target, options, readyTimeoutMs);
  if (failure) throw failure;
  return target;
}

/** undefined when ready; otherwise the error to throw (the target has been stopped by then). */
async function waitUntilReady(
  target: SpawnedTarget,
  options: TargetOptions,
  readyTimeoutMs: number,
): Promise<PerfloopError | undefined> {
  const abort = new AbortController();
  const exitedEarly = target.exited.then((exit) => ({ kind: 'exited' as const, exit }));
  const readiness = options.ready
    ? pollUntilReady(options.ready, Date.now() + readyTimeoutMs, abort.signal).then((r) =>
        r.ok ? { kind: 'ready' as const } : { kind: 'timeout' as const, reason: r.reason },
      )
    : delay(ALIVE_MS_WITHOUT_CHECK, abort.signal).then(() => ({ kind: 'ready' as const }));
  const interrupted = new Promise<{ kind: 'interrupted' }>((resolve) => {
    if (options.signal?.aborted) return resolve({ kind: 'interrupted' });
    options.signal?.addEventListener('abort', () => resolve({ kind: 'interrupted' }), { once: true });
  });
  const outcome = await Promise.race([exitedEarly, readiness, interrupted]);
  abort.abort();

  if (outcome.kind === 'interrupted') {
    await target.stop(FAILED_START_GRACE_MS);
    return new PerfloopError('RUN_INTERRUPTED', `interrupted while waiting for "${target.command}" to be ready`, {
      exitCode: 1,
    });
  }

  if (outcome.kind === 'ready' && !target.hasExited()) return undefined;
  if (outcome.kind === 'exited' || target.hasExited()) {
    const exit = await target.exited;
    await Promise.race([target.outputClosed, delay(OUTPUT_DRAIN_MS)]);
    await target.stop(FAILED_START_GRACE_MS); // anything it left behind in its group
    return new PerfloopError(
      'TARGET_EXITED',
      `target "${target.command}" ${describeExit(exit)} before it was ready; ${outputExcerpt(target)}`,
      {
        hint: `run the command by hand${options.cwd ? ` in ${options.cwd}` : ''} to see its full output`,
        exitCode: 2,
      },
    );
  }
  await target.stop(FAILED_START_GRACE_MS);
  const last = outcome.kind === 'timeout' ? `; last attempt: ${outcome.reason}` : '';
  return new PerfloopError(
    'TARGET_NOT_READY',
    `target "${target.command}" was not ready within ${readyTimeoutMs} ms, waiting for ` +
      `${describeReadyCheck(options.ready)}${last}; ${outputExcerpt(target)}`,
    { hint: 'check the service listens where the ready check looks (--ready URL|PORT), or raise --ready-timeout', exitCode: 2 },
  );
}

function validateOptions(options: TargetOptions, readyTimeoutMs: number): void {
  if (typeof options.command !== 'string' || options.command.trim() === '')
    throw new PerfloopError('TARGET_BAD_OPTIONS', 'target command is empty', {
      hint: 'give the command that starts the service, e.g. "node server.js"',
    });
  if (!Number.isFinite(readyTimeoutMs) || readyTimeoutMs <= 0)
    throw new PerfloopError(
      'TARGET_BAD_OPTIONS',
      `readyTimeoutMs must be a positive number, got ${readyTimeoutMs}`,
    );
  if (options.cwd !== undefined && !isDirectory(options.cwd))
    throw new PerfloopError('TARGET_BAD_OPTIONS', `target cwd "${options.cwd}" is not a directory`);
  if (options.ready) validateReadyCheck(options.ready);
}

function describeExit(exit: TargetExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/**
 * "stderr: …" (or stdout when stderr is empty — some services log errors there). The whole ring is
 * searched, so the error line is still found above a stack trace of well over a hundred frames.
 */
function outputExcerpt(target: SpawnedTarget): string {
  const stderr = summarizeOutput(target.stderrTail(RING_LINES));
  if (stderr) return `stderr: ${stderr}`;
  const stdout = summarizeOutput(target.stdoutTail(RING_LINES));
  return stdout ? `no stderr; stdout: ${stdout}` : 'it printed nothing';
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
