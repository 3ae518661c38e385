import type { Profile } from '../../core/profile.js';
import type { ProfileSource, ProgressCallback } from './source.js';

export interface ImportOptions {
  /** pprof: which sample type to read (e.g. `cpu`, `alloc_space`); default as pprof defines it. */
  sampleType?: string;
  /** Two-count folded files (`stack before after`): which count to read; default `after`. */
  column?: 'before' | 'after';
  /** perf script: which event to read when the file holds several (default: the first in the file). */
  event?: string;
  /** perf script: weigh a sample by its period (default when the header has one) or count samples. */
  weight?: 'samples' | 'period';
  /** perf script: how the root frame names the process (FlameGraph's default, --pid, --tid); default `comm`. */
  perfProcessLabel?: 'comm' | 'pid' | 'tid';
  /** Formats with one profile per thread (Firefox, trace events): which thread, or `all`; default all of them merged. */
  thread?: string;
  /** Stops an import that runs an external reader (the JDK's jfr, node --prof-process): Ctrl-C, SIGTERM. */
  signal?: AbortSignal;
  /** Called as bytes are read from disk. */
  progress?: ProgressCallback;
}

/** One input format: how to recognise it and its one entry function. Registered in import/index.ts. */
export interface ProfileImporter {
  /** Stable name, used by `--format`-style options, error messages and Profile.meta.format. */
  readonly format: string;
  /** File names that are this format without looking inside (checked before any content sniffing). */
  readonly fileName?: RegExp;
  /**
   * True when the first bytes (decompressed, at most 64 KiB) look like this format. `text` is the same
   * bytes decoded as UTF-8.
   */
  sniff(head: Buffer, text: string): boolean;
  importFrom(src: ProfileSource, options: ImportOptions): Promise<Profile>;
}
