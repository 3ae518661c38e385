import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { PerfloopError } from '../core/errors.js';

/** One file a run produced, as the store records it: where it is, how big, and its content hash. */
export interface ArtifactEntry {
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * The folder of one run, `<base>/<run-id>/`. Created exclusively: a run folder is never reused, so no run
 * overwrites another's report, profile or snapshots.
 */
export function createRunFolder(base: string, runId: string): string {
  const dir = resolve(base, runId);
  mkdirSync(resolve(base), { recursive: true });
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new PerfloopError('RUN_FOLDER_EXISTS', `run folder ${dir} already exists; refusing to overwrite it`, {
        exitCode: 1,
      });
    throw e;
  }
  return dir;
}

/**
 * Points `<base>/<name>` (default `latest`) at a run folder: a relative symlink, replaced atomically (rename
 * over the old link), so a reader never sees it missing. A real file or folder of that name is left alone.
 */
export function pointLink(base: string, runId: string, name = 'latest'): void {
  const link = join(base, name);
  try {
    if (lstatSync(link, { throwIfNoEntry: false }) && !lstatSync(link).isSymbolicLink()) return;
    const tmp = `${link}.${process.pid}.tmp`;
    if (lstatSync(tmp, { throwIfNoEntry: false })) unlinkSync(tmp);
    symlinkSync(runId, tmp);
    renameSync(tmp, link);
  } catch {
    // A file system without symlinks: the run is still complete, only the shortcut is missing.
  }
}

/** The run id a `latest`-style link points at, if it is one. */
export function linkTarget(base: string, name = 'latest'): string | undefined {
  try {
    return readlinkSync(join(base, name));
  } catch {
    return undefined;
  }
}

/** SHA-256 and size of a file, read in 1 MiB chunks (heap snapshots run to gigabytes). */
export function hashFile(path: string): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(n === buf.length ? buf : buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Entries for a run's artifacts (name → path relative to `dir`); files that do not exist are left out. */
export function describeArtifacts(dir: string, artifacts: Record<string, string>): Record<string, ArtifactEntry> {
  const out: Record<string, ArtifactEntry> = {};
  for (const [name, rel] of Object.entries(artifacts)) {
    const path = isAbsolute(rel) ? rel : resolve(dir, rel);
    if (!existsSync(path)) continue;
    out[name] = { path, ...hashFile(path) };
  }
  return out;
}

/**
 * An artifact a command needs, checked against what the store recorded: a deleted or changed file is a clear
 * error (exit 2) naming the run and the file, never a silent fallback to another run's copy.
 */
export function verifiedArtifact(runId: string, name: string, entry: ArtifactEntry): string {
  if (!existsSync(entry.path))
    throw new PerfloopError('ARTIFACT_MISSING', `run ${runId}: its ${name} (${entry.path}) was deleted`, {
      hint: 'the store still lists the run; perfloop prune removes runs whose folders are gone',
    });
  const size = statSync(entry.path).size;
  if (size !== entry.bytes)
    throw new PerfloopError(
      'ARTIFACT_CHANGED',
      `run ${runId}: its ${name} (${entry.path}) changed since the run (${entry.bytes} → ${size} bytes)`,
    );
  return entry.path;
}
