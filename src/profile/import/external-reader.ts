/**
 * Formats read through the program that owns them (the JDK's `jfr print`, `node --prof-process`): the input is
 * handed over as a file (the user's own, or a temporary copy of decompressed or in-memory bytes), the program's
 * stdout is streamed to the importer, and its last stderr line explains a failure. The program is killed when the
 * import is stopped (Ctrl-C, SIGTERM through the AbortSignal) and when perfloop exits, so no JVM is left behind.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PerfloopError } from '../../core/errors.js';
import { bytes, head, isGzip, type ProfileSource } from './source.js';

export interface ExternalReader {
  /** What messages call it, e.g. `jfr print`. */
  readonly name: string;
  readonly command: string;
  args(path: string): string[];
  /** Name of the temporary copy when the input is not a plain file on disk. */
  readonly fileName: string;
  /** The error when the program fails, `why` being its last stderr line or its exit code. */
  failed(why: string): PerfloopError;
}

/** A path the program can open: the file itself, or a temporary copy removed by `cleanup`. */
async function onDisk(src: ProfileSource, fileName: string): Promise<{ path: string; cleanup(): void }> {
  const first = await head(src, 4);
  try {
    if (statSync(src.name).size === src.size && !isGzip(first)) return { path: src.name, cleanup() {} };
  } catch {
    // not a file on disk (a buffer in tests): copied below
  }
  const dir = mkdtempSync(join(tmpdir(), 'perfloop-import-'));
  const path = join(dir, fileName);
  await pipeline(Readable.from(bytes(src)), createWriteStream(path));
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `reader` on `src`, giving its stdout to `consume`; resolves when both are done. */
export async function readThrough(
  src: ProfileSource,
  reader: ExternalReader,
  signal: AbortSignal | undefined,
  consume: (stdout: Readable) => Promise<void>,
): Promise<void> {
  const file = await onDisk(src, reader.fileName);
  try {
    const child = spawn(reader.command, reader.args(file.path), {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    const killChild = () => child.kill();
    process.once('exit', killChild);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    const exited = new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('close', (code) => resolve(code ?? 1));
    }).finally(() => process.off('exit', killChild));
    const lastError = () => stderr.trim().split('\n').filter(Boolean).pop();
    let consumeError: unknown;
    try {
      await consume(child.stdout);
    } catch (e) {
      consumeError = e;
      child.kill();
    }
    const code = await exited;
    if (signal?.aborted)
      throw new PerfloopError('INTERRUPTED', `${src.name}: stopped before \`${reader.name}\` finished`, {
        exitCode: 1,
      });
    // The program failing explains a cut output better than the parse error it causes.
    if (code !== 0 && (consumeError === undefined || lastError()))
      throw reader.failed(lastError() ?? `exit code ${code}`);
    if (consumeError !== undefined) throw consumeError;
  } finally {
    file.cleanup();
  }
}
