/**
 * A generator worker thread: prepares its share of the plan (its segment), waits for the shared start
 * instant, runs, and streams ticks (one-second intervals) and, at the end, its whole MetricSet back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isPerfloopError } from '../../core/errors.js';
import type { LoadRecorder } from '../recorder.js';
import { prepareThread, type PreparedThread } from '../runner.js';
import type { FromWorker, Point, ToWorker, WorkerData } from './protocol.js';

const port = parentPort!;
const data = workerData as WorkerData;
const post = (m: FromWorker) => port.postMessage(m);
const abort = new AbortController();
let prepared: PreparedThread | null = null;
let recorder: LoadRecorder | null = null;
let points: Point[] = [];
let pointsTimer: NodeJS.Timeout | undefined;

const flushPoints = () => {
  if (points.length > 0) post({ type: 'points', points });
  points = [];
};

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') abort.abort();
  else if (m.type === 'snapshot')
    post({
      type: 'snapshot',
      id: m.id,
      metrics: recorder ? (recorder.sync(), recorder.metrics.toJSON()) : null,
    });
  else if (m.type === 'start') void start(m.startAtEpochMs);
});

async function start(startAtEpochMs: number): Promise<void> {
  try {
    if (data.points) pointsTimer = setInterval(flushPoints, 200);
    const result = await prepared!.run(startAtEpochMs - performance.timeOrigin, {
      signal: abort.signal,
      onStart: (r) => void (recorder = r),
      onTick: (t) => post({ type: 'tick', ...t }),
      onPoint: data.points
        ? (metric, value, tags, timeMs) => void points.push([metric, value, tags, timeMs])
        : undefined,
    });
    clearInterval(pointsTimer);
    flushPoints();
    post({
      type: 'done',
      result: {
        metrics: result.recorder.metrics.toJSON(),
        durationS: result.durationS,
        interrupted: result.interrupted,
        arrivals: result.arrivals,
        generator: result.generator,
        warnings: result.warnings,
      },
    });
  } catch (e) {
    fail(e);
  }
  port.close();
}

function fail(e: unknown): void {
  const err = e as Error;
  post({
    type: 'error',
    error: isPerfloopError(e)
      ? { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode }
      : { message: err?.stack ?? String(e) },
  });
}

try {
  prepared = await prepareThread(data.plan);
  post({ type: 'ready', requestNames: prepared.requestNames });
} catch (e) {
  fail(e);
  port.close();
}
