/**
 * A started target: the spawned shell/process (leader of its own process group), its output kept
 * in bounded rings, its exit, and stopping it. Startup and readiness live in start.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { LineRing } from './line-ring.js';
import { signalGroup, stopProcessGroup } from './stop.js';
import type { RunningTarget, TargetExit } from './types.js';

/** Lines of each stream kept for tails and error messages. */
export const RING_LINES = 200;
const DEFAULT_GRACE_MS = 5000;

export class SpawnedTarget implements RunningTarget {
  readonly pid: number;
  readonly exited: Promise<TargetExit>;
  /** Resolves when both output pipes closed — later than exit if a grandchild still holds them. */
  readonly outputClosed: Promise<void>;
  private exitResult: TargetExit | undefined;
  private readonly stdout: LineRing;
  private readonly stderr: LineRing;
  private stopping: Promise<TargetExit> | undefined;

  constructor(
    child: ChildProcess & { pid: number },
    readonly command: string,
    callbacks: { onStdout?: (line: string) => void; onStderr?: (line: string) => void },
  ) {
    this.pid = child.pid;
    this.stdout = new LineRing(RING_LINES, callbacks.onStdout);
    this.stderr = new LineRing(RING_LINES, callbacks.onStderr);
    this.outputClosed = Promise.all([pipe(child.stdout, this.stdout), pipe(child.stderr, this.stderr)]).then(
      () => undefined,
    );
    // 'exit', not 'close': a grandchild that inherited the pipes can keep them open long after.
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitResult = { code, signal };
        resolve(this.exitResult);
      });
    });
    liveGroups.add(this.pid);
    ensureExitHook();
  }

  hasExited(): boolean {
    return this.exitResult !== undefined;
  }

  stdoutTail(lines = 20): string[] {
    return this.stdout.tail(lines);
  }

  stderrTail(lines = 20): string[] {
    return this.stderr.tail(lines);
  }

  stop(graceMs = DEFAULT_GRACE_MS): Promise<TargetExit> {
    this.stopping ??= stopProcessGroup(this.pid, this.exited, Math.max(0, graceMs)).finally(() =>
      liveGroups.delete(this.pid),
    );
    return this.stopping;
  }
}

function pipe(stream: NodeJS.ReadableStream | null, ring: LineRing): Promise<void> {
  if (!stream) return Promise.resolve();
  stream.setEncoding('utf8'); // decodes multi-byte characters split across chunks
  stream.on('data', (chunk: string) => ring.push(chunk));
  return new Promise((resolve) => {
    const end = () => {
      ring.flush();
      resolve();
    };
    stream.once('close', end);
    stream.once('error', end);
  });
}

/**
 * Targets run in their own process group (so a Ctrl-C in the terminal reaches perfloop, not them),
 * which also means nothing stops them when perfloop exits. This hook SIGKILLs every group not yet
 * stopped when the Node process exits, so a crash or early process.exit() leaves no service
 * running. (It cannot run when Node itself is killed by a signal; the CLI handles SIGINT/SIGTERM.)
 */
const liveGroups = new Set<number>();
let hookInstalled = false;
function ensureExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.once('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}
