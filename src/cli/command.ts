import type { ExitCode } from '../core/errors.js';

export type OptionType = 'string' | 'boolean';

/** A flag, declared once as data: parsing, validation and --help all come from this. */
export interface OptionSpec {
  type: OptionType;
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** Placeholder in help, e.g. "URL". */
  arg?: string;
  description: string;
}

export interface CommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is a terminal (live progress). */
  isTTY: boolean;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
  cwd: string;
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Longer help text shown under the usage line. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Accepts positional arguments (files, URLs). */
  positionals?: boolean;
  /** Rewrites the raw arguments before parsing (k6's `--http-debug=full` on a flag that is also a boolean). */
  rewriteArgs?(argv: string[]): string[];
  run(values: ParsedValues, positionals: string[], io: CommandIO): Promise<ExitCode>;
}
