import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { GaugeSink } from '../core/metric.js';
import type { IntervalRecord } from '../core/run.js';
import { executorFactory } from './executors/registry.js';
import { Segment } from './executors/segment.js';
import type { ArrivalStats, Executor, ExecutorContext, Vu } from './executors/types.js';
import type { ScenarioPlan } from './options.js';
import { LoadRecorder, type PointSink } from './recorder.js';
import type { RequestTemplate } from './scenario.js';
import { createVuFactory, type VuFactory } from './vu/factory.js';
import './executors/index.js';

export type PlanSource = { kind: 'requests'; requests: RequestTemplate[] } | { kind: 'script'; path: string };

/** Everything a generator thread needs; plain data so it can be sent to a worker. */
export interface ThreadPlan {
  source: PlanSource;
  scenarios: ScenarioPlan[];
  timeoutMs: number;
  pipelining: number;
  seed: number;
  http2: boolean;
  insecure: boolean;
  /** This thread's segment (k6's execution segment as stripes). */
  segment: { residue: number; modulus: number };
  setupData?: unknown;
  /** Shared with every generator: [0] = 1 when the engine stops the run, 2 when a k6 script aborted it. */
  stopFlag?: Int32Array;
  /** The run's effective k6 options (script options with the CLI's over them), for k6 scripts' modules. */
  scriptOptions?: Record<string, unknown>;
}

/** What a thread reports a few times a second. */
export interface ThreadTick {
  vus: number;
  vusMax: number;
  stage: string;
  /** One-second intervals closed since the last tick. */
  intervals: IntervalRecord[];
}

export interface ThreadHooks {
  signal?: AbortSignal;
  /** The run's recorder, as soon as it exists (live threshold evaluation, snapshots). */
  onStart?: (recorder: LoadRecorder) => void;
  onTick?: (t: ThreadTick) => void;
  onPoint?: PointSink;
}

/** How the generator itself coped: a lagging event loop delays sends and inflates latencies. */
export interface GeneratorHealth {
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** Share of wall time the event loop was busy (1 = saturated). */
  utilization: number;
}

export interface ThreadResult {
  recorder: LoadRecorder;
  durationS: number;
  interrupted: boolean;
  arrivals: ArrivalStats[];
  generator: GeneratorHealth;
  requestNames: string[];
  warnings: string[];
}

const SWEEP_MS = 250;
/** monitorEventLoopDelay's samples include its resolution: an idle loop reads ≈ this much. */
const LAG_RESOLUTION_MS = 10;
/** Past its plan (plus gracefulStop), a run is stopped anyway: every run is bounded in time. */
const OVERRUN_SLACK_MS = 10_000;

/** A thread ready to run: script loaded, request mix encoded. */
export interface PreparedThread {
  readonly requestNames: string[];
  readonly plannedMs: number;
  run(startAt: number, hooks?: ThreadHooks): Promise<ThreadResult>;
}

export async function prepareThread(plan: ThreadPlan): Promise<PreparedThread> {
  const segment = Segment.fromJSON(plan.segment);
  const executors: Executor[] = plan.scenarios.map((s) =>
    executorFactory(s.executor)!.create(s.config as never, segment),
  );
  const plannedMs = Math.max(0, ...plan.scenarios.map((s, i) => s.startTimeMs + executors[i].plannedMs));
  const factory: VuFactory = await createVuFactory(plan);
  return {
    requestNames: factory.requestNames,
    plannedMs,
    run: (startAt, hooks = {}) => runPrepared(plan, segment, executors, factory, plannedMs, startAt, hooks),
  };
}

/**
 * Runs the plan's scenarios in this thread from `startAt` (performance.now() time; workers share one instant
 * so their one-second intervals line up) and returns what it measured.
 */
async function runPrepared(
  plan: ThreadPlan,
  segment: Segment,
  executors: Executor[],
  factory: VuFactory,
  plannedMs: number,
  startAt: number,
  hooks: ThreadHooks,
): Promise<ThreadResult> {
  const names = plan.scenarios.map((s) => s.name);
  const recorder = new LoadRecorder(factory.requestNames, names, startAt);
  recorder.points = hooks.onPoint ?? null;
  const graceMs = Math.max(0, ...executors.map((e) => e.gracefulStopMs));
  factory.attach(recorder, names, startAt + plannedMs + graceMs);
  hooks.onStart?.(recorder);
  const vus = new Set<Vu>();
  const active = plan.scenarios.map(() => 0);
  const allocated = plan.scenarios.map(() => 0);
  const stages = plan.scenarios.map(() => '');
  const arrivals: ArrivalStats[] = [];
  let interrupted = false;
  let nextVuId = 0;
  const sleepers = new Set<() => void>();
  const stop = () => {
    if (interrupted) return;
    interrupted = true;
    for (const wake of sleepers) wake();
    for (const vu of vus) vu.close();
  };
  if (hooks.signal?.aborted) stop();
  hooks.signal?.addEventListener('abort', stop, { once: true });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (interrupted || ms <= 0) return resolve();
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  const wait = startAt - performance.now();
  if (wait > 0) await sleep(wait);
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();

  const contexts: ExecutorContext[] = plan.scenarios.map((s, i) => ({
    scenario: s.name,
    segment,
    recorder,
    newVU: () => {
      const vu = factory.create(segment.globalIndex(nextVuId++) + 1, i, s);
      vus.add(vu);
      return vu;
    },
    stopped: () => interrupted,
    setVUs: (n) => void (active[i] = n),
    setAllocated: (n) => void (allocated[i] = n),
    setStage: (label) => void (stages[i] = plan.scenarios.length > 1 ? `${s.name}: ${label}` : label),
    sleep,
    reportArrivals: (a) => void arrivals.push(a),
  }));

  const vusGauge = recorder.metrics.sink('vus') as GaugeSink;
  const vusMaxGauge = recorder.metrics.sink('vus_max') as GaugeSink;
  let sentIntervals = 0;
  const sweep = () => {
    const now = performance.now();
    for (const vu of vus) vu.expire?.(now);
    recorder.advanceTo(now);
    const sumActive = active.reduce((a, b) => a + b, 0);
    const sumAllocated = allocated.reduce((a, b) => a + b, 0);
    vusGauge.add(sumActive);
    if (vusMaxGauge.at === 0 || sumAllocated > vusMaxGauge.value) vusMaxGauge.add(sumAllocated);
    if (hooks.onTick) {
      const fresh = recorder.intervals.slice(sentIntervals);
      sentIntervals = recorder.intervals.length;
      hooks.onTick({
        vus: sumActive,
        vusMax: sumAllocated,
        stage: stages.filter(Boolean).join(' · '),
        intervals: fresh,
      });
    }
  };
  const sweeper = setInterval(sweep, SWEEP_MS);
  const bound = setTimeout(stop, plannedMs + graceMs + OVERRUN_SLACK_MS);
  try {
    await Promise.all(
      plan.scenarios.map(async (s, i) => {
        await sleep(s.startTimeMs);
        if (!interrupted) await executors[i].run(contexts[i]);
      }),
    );
  } finally {
    clearInterval(sweeper);
    clearTimeout(bound);
    hooks.signal?.removeEventListener('abort', stop);
    for (const vu of vus) vu.close();
    await factory.close();
  }
  const endedAt = performance.now();
  sweep();
  recorder.finish(endedAt);
  if (hooks.onTick)
    hooks.onTick({
      vus: 0,
      vusMax: allocated.reduce((a, b) => a + b, 0),
      stage: 'done',
      intervals: recorder.intervals.slice(sentIntervals),
    });
  lag.disable();
  const elu = performance.eventLoopUtilization(elu0);
  const generator: GeneratorHealth = {
    eventLoopLagP99Ms: Math.max(0, Math.round(lag.percentile(99) / 1e4 - LAG_RESOLUTION_MS * 100) / 100),
    eventLoopLagMaxMs: Math.max(0, Math.round(lag.max / 1e4 - LAG_RESOLUTION_MS * 100) / 100),
    utilization: Math.round(elu.utilization * 1000) / 1000,
  };
  return {
    recorder,
    durationS: (endedAt - t0) / 1000,
    interrupted,
    arrivals,
    generator,
    requestNames: factory.requestNames,
    warnings: factory.warnings(),
  };
}
