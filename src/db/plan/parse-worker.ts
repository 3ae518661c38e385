/**
 * Parsing a large pasted plan (megabytes: a plan thousands of nodes deep) off the main thread, so that Ctrl-C
 * and SIGTERM stop the command at once: the parser is synchronous, and a signal handler only runs between
 * tasks of the main thread. On abort the worker is terminated mid-parse. Small inputs parse inline.
 * Plans (with their parent links) come back by structured clone, which keeps cycles.
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { isPerfloopError, PerfloopError } from '../../core/errors.js';
import { parsePlans, type ParsedPlans } from './index.js';

/** Inputs above this size are parsed in a worker (below it a parse takes a few milliseconds). */
const WORKER_MIN_BYTES = 256 * 1024;

export async function parsePlansStoppable(text: string, signal?: AbortSignal): Promise<ParsedPlans> {
  signal?.throwIfAborted();
  if (text.length < WORKER_MIN_BYTES) return parsePlans(text);
  const worker = new Worker(new URL(import.meta.url));
  try {
    return await new Promise<ParsedPlans>((resolve, reject) => {
      const onAbort = () => reject(interrupted());
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once(
        'message',
        (m: { ok: ParsedPlans } | { error: { code: string; message: string; hint?: string } }) => {
          signal?.removeEventListener('abort', onAbort);
          if ('ok' in m) resolve(m.ok);
          else reject(new PerfloopError(m.error.code, m.error.message, { hint: m.error.hint }));
        },
      );
      worker.once('error', reject);
      worker.postMessage(text);
    });
  } finally {
    await worker.terminate();
  }
}

function interrupted(): PerfloopError {
  return new PerfloopError('INTERRUPTED', 'stopped before the plan was read', { exitCode: 1 });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.once('message', (text: string) => {
    try {
      port.postMessage({ ok: parsePlans(text) });
    } catch (e) {
      if (!isPerfloopError(e)) throw e;
      port.postMessage({ error: { code: e.code, message: e.message, hint: e.hint } });
    }
  });
}
