import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { PerfloopError } from '../../core/errors.js';

/**
 * The memory a snapshot's analysis takes, bounded per node and edge — what perfloop states and checks before
 * it allocates, so that a snapshot too big for the machine fails at once with a clear message instead of the
 * process being killed half an hour in. Counted from the typed arrays that are alive together at the peak
 * (worker: node columns 17 B, page-owned flags, display sizes, retainer index, the dominator search's eight
 * working arrays, retained sizes — 67 B; main thread: the dominator-tree child lists and the two tree indexes'
 * 16 B each, transient 8 B), rounded up:
 */
export const BYTES_PER_NODE = 110;
/** Edge columns 9 B, essential flag 1 B, retainer index 5 B, rounded up. */
export const BYTES_PER_EDGE = 16;
/** The string table is held as UTF-8 bytes: at most the part of the file that is not node or edge numbers. */
export const STRING_SHARE_OF_FILE = 0.5;
/** Node's own heap, the parser's buffers, the analysis' small tables. */
export const FIXED_BYTES = 150 * 1024 * 1024;

export function analysisBytesBound(nodeCount: number, edgeCount: number, fileBytes: number): number {
  return BYTES_PER_NODE * nodeCount + BYTES_PER_EDGE * edgeCount + STRING_SHARE_OF_FILE * fileBytes + FIXED_BYTES;
}

/** Memory the machine can give (MemAvailable; PERFLOOP_MEMORY_LIMIT_MB overrides it, e.g. to stay under a container limit). */
export function availableMemoryBytes(): number {
  const limit = Number(process.env.PERFLOOP_MEMORY_LIMIT_MB);
  if (Number.isFinite(limit) && limit > 0) return limit * 1024 * 1024;
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: fall back to free memory
  }
  return freemem();
}

const gb = (b: number) => `${(b / 2 ** 30).toFixed(1)} GB`;

/** Throws (exit 1) when the snapshot's counts say its analysis cannot fit in the memory available now. */
export function checkMemoryFor(file: string, nodeCount: number, edgeCount: number, fileBytes: number): void {
  const need = analysisBytesBound(nodeCount, edgeCount, fileBytes);
  const have = availableMemoryBytes();
  if (need <= have) return;
  throw new PerfloopError(
    'HEAP_SNAPSHOT_TOO_LARGE',
    `${file}: ${nodeCount} nodes and ${edgeCount} edges need about ${gb(need)} to analyse, ${gb(have)} is available`,
    { hint: 'free memory, analyse on a machine with more RAM, or take the snapshot with less in the heap', exitCode: 1 },
  );
}
