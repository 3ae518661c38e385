import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { PerfloopError } from '../../core/errors.js';
import { checkMemoryFor } from './memory-bound.js';
import { HeapSnapshotParser, type RawHeapSnapshot } from './parser.js';

const CHUNK = 8 * 1024 * 1024;

export interface ReadProgress {
  bytesRead: number;
  totalBytes: number;
}

/** Opens a file for reading, turning the usual mistakes into one-line PerfloopErrors. */
export function openForReading(file: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PerfloopError('FILE_NOT_READABLE', `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`, { exitCode: 2 });
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new PerfloopError('FILE_NOT_READABLE', `${file}: not a regular file`, { exitCode: 2 });
  }
  return { fd, size: st.size };
}

/**
 * Reads a `.heapsnapshot` once, front to back, in 8 MB chunks (synchronous: it runs in a worker thread,
 * where blocking costs nothing and saves the stream machinery's overhead). Fails as soon as the header's
 * counts say the analysis would not fit in memory (see memory-bound.ts).
 */
export function readHeapSnapshotFile(file: string, onProgress?: (p: ReadProgress) => void): RawHeapSnapshot {
  const { fd, size } = openForReading(file);
  const parser = new HeapSnapshotParser(file, { expectedBytes: size, onHeader: (nodes, edges) => checkMemoryFor(file, nodes, edges, size) });
  const buf = Buffer.allocUnsafe(CHUNK);
  let read = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      parser.push(n === CHUNK ? buf : buf.subarray(0, n));
      read += n;
      onProgress?.({ bytesRead: read, totalBytes: size });
    }
  } finally {
    closeSync(fd);
  }
  return parser.end();
}
