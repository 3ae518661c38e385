import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PerfloopError, type ExitCode } from '../../core/errors.js';
import { HeapGraph, type HeapGraphData } from '../graph/heap-graph.js';

export interface LoadProgress {
  file: string;
  /** 'reading', then the analysis phases. */
  phase: string;
  bytesRead: number;
  totalBytes: number;
}

export type WorkerReply =
  | ({ type: 'progress' } & Omit<LoadProgress, 'file'>)
  | { type: 'done'; data: HeapGraphData }
  | { type: 'error'; code: string; message: string; hint?: string; exitCode: ExitCode };

export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

/** Snapshots parse one per core at most (each worker is CPU-bound), leaving one core for the rest. */
const MAX_PARALLEL = Math.max(1, Math.min(4, availableParallelism() - 1));
let running = 0;
const waiting: Array<() => void> = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/**
 * Parses and analyses a `.heapsnapshot` in a worker thread and returns its HeapGraph (typed arrays
 * transferred, not copied). Bad input rejects with the worker's PerfloopError (exit 2); running out of
 * memory rejects with a PerfloopError (exit 1) instead of crashing the process.
 */
export async function loadHeapGraph(file: string, options: LoadOptions = {}): Promise<HeapGraph> {
  const release = await slot();
  try {
    return await new Promise<HeapGraph>((resolve, reject) => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { file } });
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => {
        void worker.terminate();
        finish(() => reject(new PerfloopError('ABORTED', `${file}: reading the heap snapshot was interrupted`, { exitCode: 1 })));
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort);
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'progress') options.onProgress?.({ file, ...m });
        else if (m.type === 'done') finish(() => resolve(new HeapGraph(m.data)));
        else finish(() => reject(new PerfloopError(m.code, m.message, { hint: m.hint, exitCode: m.exitCode })));
      });
      worker.on('error', (e: Error & { code?: string }) => {
        const oom = e.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(e.message);
        finish(() =>
          reject(
            oom
              ? new PerfloopError('HEAP_SNAPSHOT_TOO_LARGE', `${file}: ran out of memory while analysing the heap snapshot`, { hint: 'free memory or use a machine with more RAM', exitCode: 1 })
              : new PerfloopError('INTERNAL', `${file}: heap snapshot worker failed: ${e.message}`, { exitCode: 1 }),
          ),
        );
      });
      worker.on('exit', (code) => finish(() => reject(new PerfloopError('INTERNAL', `${file}: heap snapshot worker exited (${code}) without an answer`, { exitCode: 1 }))));
    });
  } finally {
    release();
  }
}
