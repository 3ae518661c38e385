import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { PerfloopError } from '../../core/errors.js';

/**
 * The memory a snapshot's analysis takes, bounded per node and edge — what perfloop states and checks before
 * it allocates, so that a snapshot too big for the machine fails at once with a clear message instead of the
 * process being killed half an hour in. Counted from the typed arrays alive together at the peak, the end of
 * the dominator search in the worker: node columns 17 B, page-owned flags 1 B, display sizes 4 B, retainer
 * index 4 B, the search's working arrays 32 B (six of 4 B, and 8 B that become the retained sizes) — 58 B; the
 * later passes (dominator-tree index, shortest-retainer tree, class ids) reuse those working arrays, and the
 * caller gets them without a copy. On top, what the rules may build later on the caller's side: the
 * shortest-retainer tree's index with depths, 16 B kept and 8 B transient. Rounded up:
 */
export const BYTES_PER_NODE = 90;
/** Edge columns 9 B, retainer index 4 B (the essential flag rides in its top bit), rounded up. */
export const BYTES_PER_EDGE = 14;
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
