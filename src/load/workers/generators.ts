import { Worker } from 'node:worker_threads';
import { PerfloopError, type ExitCode } from '../../core/errors.js';
import { MetricSet } from '../../core/metric-set.js';
import type { LoadRecorder, PointSink } from '../recorder.js';
import { prepareThread, type GeneratorHealth, type ThreadPlan, type ThreadTick } from '../runner.js';
import { Segment } from '../executors/segment.js';
import type { ArrivalStats } from '../executors/types.js';
import type { FromWorker, SerializedError, ToWorker, WorkerData } from './protocol.js';

/** What one generator (thread) measured. */
export interface GeneratorOutcome {
  metrics: MetricSet;
  durationS: number;
  interrupted: boolean;
  arrivals: ArrivalStats[];
  generator: GeneratorHealth;
  warnings: string[];
}

export interface GeneratorHooks {
  /** `index`: which generator ticked. */
  onTick: (t: ThreadTick, index: number) => void;
  onPoint?: PointSink;
}

/** The generators of a run: this thread alone, or worker threads each running a segment. */
export interface Generators {
  readonly count: number;
  readonly requestNames: string[];
  run(hooks: GeneratorHooks): Promise<GeneratorOutcome[]>;
  stop(): void;
  /** The metrics so far, merged (abortOnFail thresholds are evaluated on them during the run). */
  snapshot(): Promise<MetricSet>;
}

export async function inThreadGenerator(plan: ThreadPlan): Promise<Generators> {
  const prepared = await prepareThread(plan);
  const abort = new AbortController();
  let live: LoadRecorder | null = null;
  return {
    count: 1,
    requestNames: prepared.requestNames,
    async run(hooks) {
      const r = await prepared.run(performance.now(), {
        signal: abort.signal,
        onStart: (rec) => void (live = rec),
        onTick: (t) => hooks.onTick(t, 0),
        onPoint: hooks.onPoint,
      });
      return [
        {
          metrics: r.recorder.metrics,
          durationS: r.durationS,
          interrupted: r.interrupted,
          arrivals: r.arrivals,
          generator: r.generator,
          warnings: r.warnings,
        },
      ];
    },
    stop: () => {
      if (plan.stopFlag && Atomics.load(plan.stopFlag, 0) === 0) Atomics.store(plan.stopFlag, 0, 1);
      abort.abort();
    },
    snapshot: async () => (live ? (live.sync(), live.metrics) : new MetricSet()),
  };
}

const deserialize = (e: SerializedError) =>
  e.code
    ? new PerfloopError(e.code, e.message, { hint: e.hint, exitCode: (e.exitCode ?? 1) as ExitCode })
    : new PerfloopError('LOAD_WORKER_FAILED', `a generator thread failed: ${e.message}`, { exitCode: 1 });

/**
 * Worker threads, one segment each (`segment.split(j, n)`), so together they run exactly this generator's
 * share. They start at one shared instant, so their one-second intervals line up for the exact merge.
 */
/** How long a stopped worker may take to hand in its results before it is terminated. */
const FORCE_STOP_MS = 1500;

export async function workerGenerators(plan: ThreadPlan, n: number, points: boolean): Promise<Generators> {
  const parent = Segment.fromJSON(plan.segment);
  const url = new URL('./worker.js', import.meta.url);
  const workers = Array.from({ length: n }, (_, j) => {
    const data: WorkerData = { plan: { ...plan, segment: parent.split(j, n).toJSON() }, points };
    return new Worker(url, { workerData: data });
  });
  const handlers = new Set<(m: FromWorker, j: number) => void>();
  // A worker is finished when its result is in (or it exited): tearing a thread down (its sockets, its heap)
  // takes a few hundred ms on a busy machine and must not delay the results or Ctrl-C/SIGTERM.
  const settle: (() => void)[] = [];
  const exits: Promise<void>[] = workers.map(
    (w, j) =>
      new Promise<void>((resolve) => {
        settle[j] = resolve;
        w.on('message', (m: FromWorker) => {
          for (const h of handlers) h(m, j);
        });
        w.on('error', (err) => {
          for (const h of handlers) h({ type: 'error', error: { message: err.stack ?? err.message } }, j);
        });
        w.on('exit', () => resolve());
      }),
  );
  const terminate = () => Promise.all(workers.map((w) => w.terminate()));
  // Wait until every worker has prepared (script imported, mix encoded) or one failed.
  const names = await new Promise<string[]>((resolve, reject) => {
    let ready = 0;
    let requestNames: string[] = [];
    const h = (m: FromWorker) => {
      if (m.type === 'error') {
        handlers.delete(h);
        reject(deserialize(m.error));
      } else if (m.type === 'ready') {
        requestNames = m.requestNames;
        if (++ready === n) {
          handlers.delete(h);
          resolve(requestNames);
        }
      }
    };
    handlers.add(h);
  }).catch(async (e) => {
    await terminate();
    throw e;
  });
  const send = (m: ToWorker) => workers.forEach((w) => w.postMessage(m));
  const finished = workers.map(() => false);
  let forceTimer: NodeJS.Timeout | undefined;
  let forced = 0;
  let snapshotId = 0;
  return {
    count: n,
    requestNames: names,
    async run(hooks) {
      const outcomes: GeneratorOutcome[] = new Array(n);
      let failure: Error | null = null;
      handlers.add((m, j) => {
        if (m.type === 'tick') hooks.onTick(m, j);
        else if (m.type === 'points' && hooks.onPoint)
          for (const p of m.points) hooks.onPoint(p[0], p[1], p[2], p[3]);
        else if (m.type === 'done') {
          finished[j] = true;
          outcomes[j] = { ...m.result, metrics: MetricSet.fromJSON(m.result.metrics) };
          // Its result is in: a handle the script left open must not keep the run (or the process) waiting.
          void workers[j].terminate();
          workers[j].unref();
          settle[j]();
        } else if (m.type === 'error') {
          failure ??= deserialize(m.error);
          send({ type: 'stop' });
          void workers[j].terminate();
        }
      });
      send({ type: 'start', startAtEpochMs: performance.timeOrigin + performance.now() + 30 });
      await Promise.all(exits);
      clearTimeout(forceTimer);
      if (failure) throw failure;
      if (forced > 0)
        for (let j = 0; j < n; j++)
          outcomes[j] ??= {
            metrics: new MetricSet(),
            durationS: 0,
            interrupted: true,
            arrivals: [],
            generator: { eventLoopLagP99Ms: 0, eventLoopLagMaxMs: 0, utilization: 1 },
            warnings: [
              `a generator thread stuck in synchronous script code did not stop within ${FORCE_STOP_MS / 1000} s and was ended: its totals are lost (its one-second intervals are kept)`,
            ],
          };
      if (outcomes.some((o) => !o))
        throw new PerfloopError('LOAD_WORKER_FAILED', 'a generator thread exited without a result', {
          exitCode: 1,
        });
      return outcomes;
    },
    stop: () => {
      if (plan.stopFlag && Atomics.load(plan.stopFlag, 0) === 0) Atomics.store(plan.stopFlag, 0, 1);
      send({ type: 'stop' });
      // A thread stuck in synchronous code the loop guard cannot reach is ended after a grace period;
      // what it measured is lost, the other threads' results and the one-second intervals are kept.
      forceTimer ??= setTimeout(() => {
        forced = workers.filter((_, j) => !finished[j]).length;
        for (const [j, w] of workers.entries()) if (!finished[j]) void w.terminate();
      }, FORCE_STOP_MS);
      forceTimer.unref();
    },
    snapshot: () =>
      new Promise<MetricSet>((resolve) => {
        const id = ++snapshotId;
        const merged = new MetricSet();
        let got = 0;
        const h = (m: FromWorker) => {
          if (m.type !== 'snapshot' || m.id !== id) return;
          if (m.metrics) merged.merge(MetricSet.fromJSON(m.metrics));
          if (++got === n) {
            handlers.delete(h);
            resolve(merged);
          }
        };
        handlers.add(h);
        send({ type: 'snapshot', id });
        // A worker that already finished will not answer: do not wait for it forever.
        setTimeout(() => {
          if (handlers.delete(h)) resolve(merged);
        }, 2000).unref();
      }),
  };
}
