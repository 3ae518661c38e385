import type { Profile } from '../../core/profile.js';
import type { ProfileSource, ProgressCallback } from './source.js';

export interface ImportOptions {
  /** pprof: which sample type to read (e.g. `cpu`, `alloc_space`); default as pprof defines it. */
  sampleType?: string;
  /** Two-count folded files (`stack before after`): which count to read; default `after`. */
  column?: 'before' | 'after';
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
