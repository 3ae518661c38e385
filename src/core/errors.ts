/**
 * The one error type perfloop raises for anything a user can fix: bad input, bad usage, a target that
 * will not start. The CLI prints `code: message` (and the hint) on one line and exits with `exitCode`,
 * never a stack trace.
 */
export type ExitCode = 0 | 1 | 2 | 99;

export const EXIT = {
  ok: 0,
  runtime: 1,
  badInput: 2,
  thresholds: 99,
} as const satisfies Record<string, ExitCode>;

export interface PerfloopErrorOptions {
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
}

export class PerfloopError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: PerfloopErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PerfloopError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.badInput;
  }

  /** The single line the CLI prints. */
  toLine(): string {
    const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' | ');
    return `perfloop: ${this.code}: ${oneLine(this.message)}${this.hint ? ` (hint: ${oneLine(this.hint)})` : ''}`;
  }
}

export function isPerfloopError(e: unknown): e is PerfloopError {
  return e instanceof PerfloopError;
}
