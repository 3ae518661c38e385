/**
 * The public shapes of the target runner: how a user describes the service under test and what
 * perfloop hands back while it runs. Behaviour lives in start.ts, ready.ts and stop.ts.
 */

/**
 * How perfloop decides the service is ready to take load.
 * - `{ url }`: poll the URL until it answers with a 2xx status.
 * - `{ port, host? }`: poll until a TCP connect to host:port succeeds (host defaults to 127.0.0.1).
 * Without a ReadyCheck the target counts as ready once it has stayed alive for 1 s — a guess that
 * only suits services that listen almost immediately; give a url or port whenever you can.
 */
export type ReadyCheck = { url: string } | { port: number; host?: string };

export interface TargetOptions {
  /** Shell command line, e.g. "node server.js" or "npm start"; run via `/bin/sh -c`. */
  command: string;
  cwd?: string;
  /** Merged over process.env; a key set to undefined removes that variable. */
  env?: NodeJS.ProcessEnv;
  /** See ReadyCheck; when absent the target is ready after it has been alive 1 s. */
  ready?: ReadyCheck;
  /** How long to wait for readiness; default 30000. */
  readyTimeoutMs?: number;
  /** Called once per output line (without the newline). A throwing callback is ignored. */
  onStdout?: (line: string) => void;
  /** Aborting stops waiting for readiness at once: the target is stopped and startTarget rejects. */
  signal?: AbortSignal;
  onStderr?: (line: string) => void;
}

export interface TargetExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningTarget {
  /** pid of the spawned shell/process: the leader of the target's own process group. */
  readonly pid: number;
  readonly command: string;
  /** Resolves (never rejects) when the spawned shell/process exits. */
  readonly exited: Promise<TargetExit>;
  hasExited(): boolean;
  /** The last `lines` lines of output (default 20), oldest first. */
  stdoutTail(lines?: number): string[];
  stderrTail(lines?: number): string[];
  /**
   * SIGTERM to the whole process group, SIGKILL after `graceMs` (default 5000) if anything in the
   * group is still running. Resolves once the group is gone. Idempotent: later calls share the result.
   */
  stop(graceMs?: number): Promise<TargetExit>;
}
