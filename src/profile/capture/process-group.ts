import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { PerfloopError } from '../../core/errors.js';

/** A command in its own process group, so stopping it stops everything it started (npm → sh → node). */
export interface GroupProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** `signal` to the group, SIGKILL after graceMs if it is still there. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export async function spawnGroup(
  file: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<GroupProcess> {
  const child = spawn(file, args, { stdio: 'inherit', ...options, detached: true });
  const error = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (error || child.pid === undefined)
    throw new PerfloopError('TARGET_SPAWN_FAILED', `could not start ${file}: ${error?.message}`, {
      exitCode: 2,
    });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  const pid = child.pid;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  };
  return {
    child,
    exited,
    hasExited: () => done,
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      signalGroup(signal);
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          signalGroup('SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exited.then(() => undefined), killed]);
      clearTimeout(timer);
      // The leader is gone; anything left in its group goes too.
      signalGroup('SIGKILL');
    },
  };
}

/** Resolves after `ms`, or early when `signal` aborts or `until` settles. */
export function waitFor(
  ms: number,
  signal?: AbortSignal,
  until?: Promise<unknown>,
): Promise<'timeout' | 'aborted' | 'settled'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish('timeout'), ms);
    const onAbort = () => finish('aborted');
    function finish(why: 'timeout' | 'aborted' | 'settled') {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(why);
    }
    if (signal?.aborted) return finish('aborted');
    signal?.addEventListener('abort', onAbort);
    until?.then(
      () => finish('settled'),
      () => finish('settled'),
    );
  });
}

/** A command line for /bin/sh -c from argv, each argument quoted. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
