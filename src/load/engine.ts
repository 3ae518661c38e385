import { availableParallelism } from 'node:os';
import { PerfloopError } from '../core/errors.js';
import { MetricSet } from '../core/metric-set.js';
import type { GaugeSink, MetricType } from '../core/metric.js';
import { Segment } from './executors/segment.js';
import type { ArrivalStats } from './executors/types.js';
import { IntervalMerger } from './intervals.js';
import {
  badOptions,
  collectScenarios,
  maxVUsOf,
  plannedMsOf,
  scenarioFromExecutor,
  type LoadScriptOptions,
  type ScenarioPlan,
} from './options.js';
import { assertReachable } from './reachability.js';
import { BUILTIN_METRICS, defineBuiltinMetrics, type PointSink } from './recorder.js';
import { mergeArrivals } from './merge.js';
import { LoadResult, type PresetReport } from './result.js';
import type { GeneratorHealth, PlanSource, ThreadPlan } from './runner.js';
import type { RequestTemplate } from './scenario.js';
import { declaredMetrics } from './script/api.js';
import { isK6Script } from './k6/imports.js';
import { importScript, type ScriptModule } from './script/module.js';
import {
  evaluateThresholds,
  parseThresholds,
  type ThresholdDef,
  type ThresholdsConfig,
} from './thresholds/thresholds.js';
import {
  inThreadGenerator,
  workerGenerators,
  type GeneratorOutcome,
  type Generators,
} from './workers/generators.js';
import { listenOverflowWarning, readListenOverflows } from './listen-overflows.js';

export interface LoadProgress {
  elapsedMs: number;
  plannedMs: number;
  vus: number;
  requests: number;
  /** Requests per second over the last second. */
  rps: number;
  errors: number;
  /** What the executors are doing ("ramping 10→50 VUs"). */
  stage: string;
  /** p95 of http_req_duration over the last second (ms), null before the first. */
  p95Ms: number | null;
  /** p50 and p99 of the last second (ms), null before the first (the live dashboard's percentiles). */
  p50Ms?: number | null;
  p99Ms?: number | null;
  /** Failed requests in the last second. */
  errorsLastSecond?: number;
  /** The target's latest CPU (% of a core) and RSS, filled in by a caller that samples the target (perfloop run). */
  target?: { cpuPct: number | null; rssMb: number | null };
  /** Thresholds passing/failing so far (null when not evaluated live). */
  thresholds: { ok: number; failed: number } | null;
}

export interface LoadOptions {
  /** The request mix (quick mode, declarative scenarios). */
  requests?: RequestTemplate[];
  /** A JS/TS module script: its default (or `exec`) function is one iteration. */
  script?: string;
  /** One scenario given directly, e.g. { executor: 'constant-vus', vus: 10, duration: 30000 } (ms or "30s"). */
  executor?: { executor: string } & Record<string, unknown>;
  /** k6 options (vus/duration/iterations/stages shortcuts or scenarios); default: the script's `options`. */
  options?: LoadScriptOptions;
  /** k6 thresholds; default: `options.thresholds`. */
  thresholds?: ThresholdsConfig;
  timeoutMs?: number;
  pipelining?: number;
  seed?: number;
  /** Scenario name of the `executor` form. */
  scenario?: string;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** This generator's share of a distributed test (`i/n`). */
  segment?: Segment | string;
  /** Worker threads: a number or 'auto' (one per core); default 1 (this thread). */
  workers?: number | 'auto';
  /** HTTP/2 (h2c for http://, ALPN for https://) through undici. */
  http2?: boolean;
  /** Accept invalid TLS certificates. */
  insecure?: boolean;
  /** Receives every sample (--out). */
  onPoint?: PointSink;
  /** Filled in by presets after the run (recovery time, drift): see presets.ts. */
  preset?: (result: LoadResult) => PresetReport;
}

/** Generator event loop lag above this (p99) makes latencies doubtful: the generator, not the target, waited. */
const LAG_WARN_MS = 20;
const BUSY_WARN = 0.9;

function metricTypeOf(name: string): MetricType | undefined {
  if (BUILTIN_METRICS.includes(name)) return defineBuiltinMetrics(new MetricSet()).def(name)?.type;
  return declaredMetrics().get(name)?.type;
}

function workerCount(requested: LoadOptions['workers'], plans: readonly ScenarioPlan[]): number {
  if (requested === undefined) return 1;
  const n = requested === 'auto' ? availableParallelism() : requested;
  if (!Number.isInteger(n) || n < 1)
    throw new PerfloopError(
      'USAGE',
      `--workers: expected auto or an integer ≥ 1, got ${JSON.stringify(requested)}`,
    );
  return Math.max(1, Math.min(n, maxVUsOf(plans)));
}

/** Options as plain data (they travel to worker threads); what cannot be copied is left out. */
function plainOptions(o: LoadScriptOptions): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Thresholds as `{ metric: [expr] }` (abort flags dropped): what `perfloop merge` re-evaluates. */
function thresholdsConfigOf(defs: readonly ThresholdDef[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of defs) (out[d.metric.key] ??= []).push(d.expression.source);
  return out;
}

interface Prepared {
  plans: ScenarioPlan[];
  defs: ThresholdDef[];
  mod: ScriptModule | null;
  source: PlanSource;
  options: LoadScriptOptions;
}

/** Validates everything (scenarios and thresholds together) before anything starts. */
async function prepare(options: LoadOptions): Promise<Prepared> {
  if (!options.script && !options.requests)
    throw new PerfloopError('LOAD_NO_REQUESTS', 'the load test has no requests and no script');
  const mod = options.script ? await importScript(options.script) : null;
  const k6 = options.options ?? mod?.options ?? {};
  const scen = options.executor
    ? scenarioFromExecutor(options.scenario ?? 'default', options.executor)
    : collectScenarios(k6, mod?.functions);
  const th = parseThresholds(options.thresholds ?? k6.thresholds, metricTypeOf);
  const errors = [...scen.errors, ...th.errors];
  if (mod) {
    for (const p of scen.plans) {
      const name = p.exec ?? 'default';
      if (!mod.fn(name))
        errors.push(
          p.exec
            ? `scenarios.${p.name}.exec: the script exports no function ${JSON.stringify(name)}`
            : `${options.script}: has no default export (export default async function (ctx) { … })`,
        );
    }
  }
  if (errors.length > 0) throw badOptions(errors);
  const source: PlanSource = mod
    ? { kind: 'script', path: options.script! }
    : { kind: 'requests', requests: options.requests! };
  return { plans: scen.plans, defs: th.defs, mod, source, options: k6 };
}

/** Merges what the generators measured; gauges of VUs add up across generators instead of "last wins". */
function mergeOutcomes(
  outcomes: readonly GeneratorOutcome[],
  extra: readonly MetricSet[],
  peakVUs: number,
): MetricSet {
  const metrics = outcomes.length === 1 && extra.length === 0 ? outcomes[0].metrics : new MetricSet();
  if (metrics !== outcomes[0]?.metrics) for (const o of outcomes) metrics.merge(o.metrics);
  for (const m of extra) metrics.merge(m);
  if (outcomes.length > 1) {
    const vusMax = outcomes.reduce(
      (a, o) => a + Math.max(0, (o.metrics.aggregate('vus_max') as GaugeSink).value),
      0,
    );
    const g = metrics.sink('vus_max') as GaugeSink;
    Object.assign(g, { value: vusMax, max: vusMax, min: Math.min(g.min, vusMax) });
    const v = metrics.sink('vus') as GaugeSink;
    Object.assign(v, { max: Math.max(peakVUs, 0), value: 0 });
  }
  return metrics;
}

function healthWarnings(h: GeneratorHealth, arrivals: readonly ArrivalStats[]): string[] {
  const w: string[] = [];
  if (h.eventLoopLagP99Ms > LAG_WARN_MS || h.utilization > BUSY_WARN) {
    w.push(
      `The load generator was saturated (event-loop lag p99 ${h.eventLoopLagP99Ms} ms, busy ${Math.round(h.utilization * 100)}%): ` +
        'its own delays are in the latencies and the rate may be under-delivered — use --workers auto or fewer VUs.',
    );
  }
  for (const a of arrivals) {
    if (a.dropped > 0)
      w.push(
        `${a.scenario}: ${a.dropped} of ${a.scheduled} iterations dropped — every VU was busy (raise maxVUs / -c).`,
      );
    if (a.late > 0.01 * Math.max(1, a.started))
      w.push(
        `${a.scenario}: ${a.late} iterations started late (waited for a free VU); their wait is in http_req_duration, not in http_req_duration_uncorrected.`,
      );
  }
  return w;
}

/** Validates a load (scenarios, thresholds, the script's functions) without running it: one exit-2 error listing every problem. */
export async function checkLoad(options: LoadOptions): Promise<void> {
  await prepare(options);
}

/**
 * A script's setup/teardown runner, loaded only when there is a script: `ctx.http` pulls in undici, which URL
 * mode never uses (~0.15 CPU-s of its start-up).
 */
async function lifecycleOf(k6Mode: boolean) {
  return k6Mode
    ? (await import('./k6/lifecycle.js')).runK6Lifecycle
    : (await import('./script/lifecycle.js')).runLifecycle;
}

/**
 * Runs a load test — in this thread or across worker threads — and returns its merged measurements with
 * thresholds evaluated over the whole. Bad options are one PerfloopError (exit 2) listing every problem; an
 * unreachable target at the start is exit 2 as well.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { plans, defs, mod, source, options: scriptOptions } = await prepare(options);
  const segment =
    options.segment === undefined
      ? Segment.whole
      : typeof options.segment === 'string'
        ? Segment.parse(options.segment)
        : options.segment;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const o = { http2: options.http2 ?? false, insecure: options.insecure ?? false, timeoutMs };
  if (source.kind === 'requests') await assertReachable(source.requests, Math.min(timeoutMs, 5000));
  const n = workerCount(options.workers, plans);
  const startedAt = new Date();
  // k6 scripts always run on a worker thread: a VU stuck in synchronous code cannot then block Ctrl-C.
  const k6Mode = !!options.script && isK6Script(options.script);
  const lifecycle = mod ? await lifecycleOf(k6Mode) : null;
  const setup = mod && lifecycle ? await lifecycle(mod, 'setup', undefined, o) : null;
  const plan: ThreadPlan = {
    source,
    scenarios: plans,
    timeoutMs,
    pipelining: options.pipelining ?? 1,
    seed: options.seed ?? 1,
    http2: o.http2,
    insecure: o.insecure,
    segment: segment.toJSON(),
    setupData: setup?.result,
    stopFlag: new Int32Array(new SharedArrayBuffer(4)),
    scriptOptions: plainOptions(scriptOptions),
  };
  const generators: Generators =
    n > 1 || k6Mode ? await workerGenerators(plan, n, !!options.onPoint) : await inThreadGenerator(plan);
  const plannedMs = plannedMsOf(plans);
  const merger = new IntervalMerger();
  const vusBy = new Array<number>(n).fill(0);
  const stageBy = new Array<string>(n).fill('');
  let peakVUs = 0;
  let abortedBy: string | null = null;
  let liveThresholds: { ok: number; failed: number } | null = null;
  const t0 = performance.now();
  const overflowsBefore = readListenOverflows();
  const onAbort = () => generators.stop();
  if (options.signal?.aborted) generators.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  // Live: progress once a second; thresholds evaluated on the metrics so far (abortOnFail stops the run).
  const live = defs.length > 0 && (n === 1 || defs.some((d) => d.abortOnFail));
  let evaluating = false;
  let ticks = 0;
  const progress = setInterval(() => {
    ticks++;
    const elapsedMs = performance.now() - t0;
    if (Atomics.load(plan.stopFlag!, 0) === 2 && !abortedBy) {
      abortedBy = 'the script called exec.test.abort()';
      generators.stop();
    }
    if (live && !evaluating && (n === 1 || ticks % 2 === 0)) {
      evaluating = true;
      void generators
        .snapshot()
        .then((m) => {
          const results = evaluateThresholds(defs, m, elapsedMs / 1000);
          liveThresholds = {
            ok: results.filter((r) => r.ok).length,
            failed: results.filter((r) => !r.ok).length,
          };
          const fatal = results.find(
            (r) => !r.ok && r.def.abortOnFail && elapsedMs >= r.def.delayAbortEvalMs,
          );
          if (fatal && !abortedBy) {
            abortedBy = `${fatal.def.metric.key}: ${fatal.def.expression.source}`;
            generators.stop();
          }
        })
        .finally(() => (evaluating = false));
    }
    if (options.onProgress) {
      const totals = merger.totals();
      const last = merger.at(merger.lastT);
      options.onProgress({
        elapsedMs,
        plannedMs,
        vus: vusBy.reduce((a, b) => a + b, 0),
        requests: totals.count,
        rps: last?.count ?? 0,
        errors: totals.errors,
        stage: [...new Set(stageBy.filter(Boolean))].join(' · '),
        p95Ms: last && last.count > 0 ? last.histogram().percentile(95) / 1000 : null,
        p50Ms: last && last.count > 0 ? last.histogram().percentile(50) / 1000 : null,
        p99Ms: last && last.count > 0 ? last.histogram().percentile(99) / 1000 : null,
        errorsLastSecond: last?.errors ?? 0,
        thresholds: liveThresholds,
      });
    }
  }, 1000);

  let outcomes: GeneratorOutcome[];
  try {
    outcomes = await generators.run({
      onTick: (t, j) => {
        merger.add(t.intervals);
        vusBy[j] = t.vus;
        stageBy[j] = t.stage === 'done' ? '' : t.stage;
        peakVUs = Math.max(
          peakVUs,
          vusBy.reduce((a, b) => a + b, 0),
        );
      },
      onPoint: options.onPoint,
    });
  } finally {
    clearInterval(progress);
    options.signal?.removeEventListener('abort', onAbort);
  }
  const teardown = mod && lifecycle ? await lifecycle(mod, 'teardown', setup?.result, o) : null;
  const metrics = mergeOutcomes(
    outcomes,
    [setup?.metrics, teardown?.metrics].filter((m): m is MetricSet => !!m),
    peakVUs,
  );
  const durationS = Math.max(...outcomes.map((x) => x.durationS));
  const arrivals = mergeArrivals(outcomes.flatMap((x) => x.arrivals));
  const generator = {
    eventLoopLagP99Ms: Math.max(...outcomes.map((x) => x.generator.eventLoopLagP99Ms)),
    eventLoopLagMaxMs: Math.max(...outcomes.map((x) => x.generator.eventLoopLagMaxMs)),
    utilization: Math.max(...outcomes.map((x) => x.generator.utilization)),
    workers: n,
  };
  const warnings = [...new Set(outcomes.flatMap((x) => x.warnings))];
  warnings.push(...healthWarnings(generator, arrivals));
  const overflowsAfter = overflowsBefore === null ? null : readListenOverflows();
  const overflowed =
    overflowsAfter === null ? null : listenOverflowWarning(overflowsAfter - overflowsBefore!);
  if (overflowed) warnings.push(overflowed);
  if (abortedBy) warnings.unshift(`Stopped early: threshold ${abortedBy} failed (abortOnFail).`);
  const interrupted = outcomes.some((x) => x.interrupted) || !!options.signal?.aborted || !!abortedBy;
  const result = new LoadResult(
    startedAt,
    durationS,
    metrics,
    merger.list(),
    generators.requestNames,
    interrupted,
    {
      thresholds: evaluateThresholds(defs, metrics, durationS),
      thresholdsConfig: thresholdsConfigOf(defs),
      arrivals,
      generator,
      warnings,
      abortedBy,
      segment: segment.isWhole ? null : segment.toString(),
    },
  );
  if (options.preset) result.extras.preset = options.preset(result);
  return result;
}
