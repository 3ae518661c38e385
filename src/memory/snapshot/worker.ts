/**
 * Worker thread: reads one heap snapshot and analyses it (dominators, retained sizes, class names, retainer
 * tree), then transfers the typed arrays to the caller. Keeps the caller's event loop free and its heap out
 * of it: a snapshot that is too big fails this thread, never the CLI.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isPerfloopError } from '../../core/errors.js';
import { analyseSnapshot, transferList } from '../graph/analyse.js';
import { readHeapSnapshotFile } from './read-file.js';
import type { WorkerReply } from './load.js';

const { file } = workerData as { file: string };
const post = (m: WorkerReply, transfer?: ArrayBuffer[]) => parentPort!.postMessage(m, transfer);

try {
  let last = 0;
  const t0 = performance.now();
  const raw = readHeapSnapshotFile(file, (p) => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    post({ type: 'progress', phase: 'reading', bytesRead: p.bytesRead, totalBytes: p.totalBytes });
  });
  const parsed = performance.now();
  // Time per phase: the dominators phase runs from its start to the next phase's.
  let phaseStart = parsed;
  let current = '';
  let dominatorsMs = 0;
  const data = analyseSnapshot(raw, file, (phase) => {
    const now = performance.now();
    if (current === 'dominators') dominatorsMs += now - phaseStart;
    current = phase;
    phaseStart = now;
    post({ type: 'progress', phase, bytesRead: raw.bytes, totalBytes: raw.bytes });
  });
  const end = performance.now();
  if (current === 'dominators') dominatorsMs += end - phaseStart;
  data.timings = { parseMs: Math.round(parsed - t0), dominatorsMs: Math.round(dominatorsMs), analysisMs: Math.round(end - parsed - dominatorsMs) };
  post({ type: 'done', data }, transferList(data));
} catch (e) {
  if (isPerfloopError(e)) post({ type: 'error', code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode });
  else if (e instanceof RangeError && /allocation failed|Invalid typed array length|Array buffer/i.test(e.message)) {
    post({ type: 'error', code: 'HEAP_SNAPSHOT_TOO_LARGE', message: `${file}: not enough memory to hold this snapshot's arrays (${e.message})`, hint: 'free memory or use a machine with more RAM', exitCode: 1 });
  } else post({ type: 'error', code: 'INTERNAL', message: `${file}: ${(e as Error)?.stack ?? String(e)}`, exitCode: 1 });
}
