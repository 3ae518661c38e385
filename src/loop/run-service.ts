import { basename } from 'node:path';
import { PerfloopError } from '../core/errors.js';
import { newRunId, type RunRecord } from '../core/run.js';
import type { LoadProgress } from '../load/engine.js';
import type { RequestTemplate } from '../load/scenario.js';
import { scenarioOf } from '../load/scenario-fingerprint.js';
import { scenarioOfLoad } from '../load/load-fingerprint.js';
import type { LoadDefinition } from '../load/load-definition.js';
import { measuredLoad, readyCheckOf } from './run-load.js';
import { testScenarioRow } from './test-scenario.js';
import type { Budget } from '../gate/budget.js';
import { storeRun } from '../store/open-store.js';
import { createRunFolder, pointLink } from '../store/artifacts.js';
import { diffHeapSnapshots, type HeapDiff } from '../memory/index.js';
import { analyseRun } from './analyse-run.js';
import { runMetrics } from './run-metrics.js';
import { writeRunReports } from './write-reports.js';
import { analyseDatabase, statementsBefore, type RunDatabaseAccess } from './run-database.js';
import { RunSession, type RunObservations } from './run-session.js';
import { buildRunRecord, writeCaptures } from './run-record.js';
import { endpointCpu } from './endpoint-cpu.js';
import type { ProfilerChoice } from '../profile/capture/runtime-capture.js';
import { runtimeMemoryFindings } from './rules/runtime-memory.js';

export interface RunServiceOptions {
  /** Command that starts the service; absent when the service is already running. */
  target?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Readiness: a URL answering 2xx, or a port number. Defaults to the first request's URL origin. */
  ready?: string;
  readyTimeoutMs?: number;
  /** URLs loaded by `vus` constant VUs for `durationS` — unless `load` is given (then may be empty). */
  requests: RequestTemplate[];
  vus: number;
  durationS: number;
  /**
   * Any load `perfloop load` takes (a k6 or perfloop script, stages, a rate, a preset, scenarios); it replaces
   * `requests`/`vus`/`durationS`. Its thresholds and its preset's success criteria are judged on the window.
   */
  load?: LoadDefinition;
  warmupS: number;
  label: string;
  /** Base folder: the run writes `<outDir>/<run-id>/` and points `<outDir>/latest` at it. */
  outDir: string;
  /** The store: a SQLite file path or a postgres:// URL; null to not store. */
  storePath: string | null;
  budget?: Budget;
  profile: boolean;
  samplingIntervalUs: number;
  /** Which profiler (`--profiler`); auto: the agent for Node, pprof for Go, JFR for Java, py-spy or perf for Python, perf otherwise. */
  profiler?: ProfilerChoice;
  /** `--pprof URL`: a Go service's net/http/pprof base (default: found on the service's port). */
  pprofUrl?: string;
  /** Samples per second for pprof-less profilers (perf, py-spy); each has its default. */
  profilerHz?: number;
  /** perf's unwinding: frame pointers (default) or DWARF. */
  callGraph?: 'fp' | 'dwarf';
  /** perf's ring buffer in pages (`perf record -m`). */
  perfMmapPages?: number;
  /** `--tracemalloc`: a Python target runs with tracemalloc on, snapshotted at the window's start and end. */
  tracemalloc?: boolean;
  memoryLimitMb?: number;
  /** In the memory phase, force a full GC this often and read the live heap (an exact leak trend). 0 = off. */
  gcProbeS?: number;
  /** Heap snapshots in the memory phase: the first at its start, the last at its end (0 = none; else ≥ 2). */
  heapSnapshots?: number;
  /** Seconds of unmeasured load for snapshots and GC probes (default: the measured duration, at least 10). */
  memoryPhaseS?: number;
  /** The service's database, for plans, index advice and pg_stat_statements. */
  db?: RunDatabaseAccess;
  /** The command line that reproduces this run, for the report. */
  command: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onProgress?: (p: LoadProgress) => void;
}

export interface RunServiceResult {
  record: RunRecord;
  /** The run's own folder, `<outDir>/<run-id>`. */
  outDir: string;
  budgetPass: boolean;
  /** The load's own thresholds and the preset's success criteria held (the run's Test Scenarios row). */
  loadPass: boolean;
}

/**
 * The main job on one service, as the method's steps: prepare the run's folder, start the service, warm up,
 * measure, (memory phase), stop, analyse, record, report and store. Interruption (signal) keeps and reports
 * what was measured.
 */
export async function runService(o: RunServiceOptions): Promise<RunServiceResult> {
  if (o.target) readyCheckOf(o); // a script without a URL to wait for fails before anything starts
  const startedAt = new Date();
  const id = newRunId(startedAt);
  const runDir = createRunFolder(o.outDir, id);
  const session = new RunSession(o, runDir);
  let statementsAtStart: Awaited<ReturnType<typeof statementsBefore>> | undefined;
  try {
    await session.start();
    await session.warmUp();
    statementsAtStart = await statementsBefore(o.db?.url, session.warnings);
    await session.measure();
    await session.memoryPhase();
  } finally {
    await session.stop();
  }
  const obs = session.observations;
  if (!obs.load) {
    await session.close();
    throw new PerfloopError('RUN_INTERRUPTED', 'interrupted before the measured load started: nothing to report', {
      exitCode: 1,
    });
  }
  const captures = session.agent ? capturesOf(session, obs) : { queries: [], requests: [] };
  await session.close();
  const { record, budgetPass, loadPass } = await analyse(o, obs, {
    id,
    startedAt,
    runDir,
    captures,
    statementsAtStart: statementsAtStart ?? null,
    warnings: session.warnings,
  });
  writeRunReports(runDir, record, obs.profile);
  await storeRun(o.storePath, record, runDir);
  pointLink(o.outDir, id);
  return { record, outDir: runDir, budgetPass, loadPass };
}

/** The agent's query and request captures of the measured window. */
function capturesOf(session: RunSession, obs: RunObservations) {
  const inWindow = (t: number) => t >= obs.measureStart && t <= obs.measureEnd;
  return {
    queries: session.agent!.queries.filter((q) => inWindow(q.t)),
    requests: session.agent!.requests.filter((r) => inWindow(r.t)),
  };
}

async function analyse(
  o: RunServiceOptions,
  obs: RunObservations,
  ctx: {
    id: string;
    startedAt: Date;
    runDir: string;
    captures: ReturnType<typeof capturesOf>;
    statementsAtStart: Awaited<ReturnType<typeof statementsBefore>>;
    warnings: string[];
  },
): Promise<{ record: RunRecord; budgetPass: boolean; loadPass: boolean }> {
  const load = obs.load!;
  const measured = {
    agent: obs.agentSamples.filter((s) => s.t >= obs.measureStart && s.t <= obs.measureEnd + 300),
    proc: obs.procSamples.filter((s) => s.t >= obs.measureStart && s.t <= obs.measureEnd + 300),
  };
  const artifacts: Record<string, string> = obs.runtimeCapture ? { ...obs.runtimeCapture.artifacts } : obs.profile ? { profile: 'profile.cpuprofile' } : {};
  if (o.target && obs.agentConnected) Object.assign(artifacts, writeCaptures(ctx.runDir, ctx.captures));
  const metrics = runMetrics(load, measured.proc, measured.agent, obs.heapProbes);
  const database = await analyseDatabase({
    access: o.db ?? {},
    before: ctx.statementsAtStart,
    queries: ctx.captures.queries,
    requests: ctx.captures.requests,
    samples: measured.agent,
    durationS: load.durationS,
    totalRequestMs: ctx.captures.requests.reduce((s, r) => s + r.durationMs, 0),
    realParams: obs.realParams,
    log: o.log ?? (() => {}),
  });
  const cpu = endpointCpu(load.endpoints(), ctx.captures.requests, o.load?.requests ?? o.requests);
  const heapDiff = await compareSnapshots(obs.snapshotFiles, ctx.warnings, o.log);
  if (heapDiff) obs.snapshotFiles.forEach((f, i) => (artifacts[`heapsnapshot${i + 1}`] = basename(f)));
  const analysis = analyseRun(
    {
      metrics,
      profile: obs.profile,
      // Memory evidence spans the memory phase too: growth needs time; the rest is the measured window.
      agentSamples: measured.agent,
      memorySamples: obs.agentSamples.filter((s) => s.t >= obs.measureStart),
      // After the window without a memory phase there is no load (a profiler may still be writing its file): a flat
      // tail there would read as growth that stopped.
      procSamples: obs.memoryPhaseS > 0 ? obs.procSamples : measured.proc,
      heapProbes: obs.heapProbes,
      heapFindings: [
        ...(heapDiff?.findings ?? []),
        ...(obs.runtimeCapture ? runtimeMemoryFindings(obs.runtimeCapture.memory, obs.runtimeCapture.sampledAgainstMs ?? null) : []),
      ],
      dbFindings: database.findings,
      endpoints: cpu.endpoints,
      durationS: load.durationS,
    },
    { budget: o.budget, memoryLimitMb: o.memoryLimitMb },
  );
  const scenario = o.load
    ? scenarioOfLoad(o.load, load)
    : scenarioOf(o.requests, { executor: 'constant-vus', vus: o.vus, durationS: o.durationS });
  const test = testScenarioRow(measuredLoad(o), load, {
    findings: analysis.findings,
    memory: metrics.memory,
    memoryEvidence: measured.proc.length > 0 || measured.agent.length > 0,
  });
  const record = buildRunRecord({
    o,
    obs,
    id: ctx.id,
    startedAt: ctx.startedAt,
    scenario,
    testScenario: test.row,
    metrics,
    measured,
    analysis,
    database,
    heapDiff,
    endpoints: cpu.endpoints,
    artifacts,
    warnings: [...ctx.warnings, ...database.warnings, ...test.warnings],
  });
  return {
    record,
    budgetPass: analysis.budget.every((b) => b.pass),
    loadPass: test.row.criteria.every((c) => c.ok),
  };
}

async function compareSnapshots(files: string[], warnings: string[], log?: (l: string) => void): Promise<HeapDiff | null> {
  if (files.length < 2) return null;
  log?.(`comparing ${files.length} heap snapshots`);
  try {
    return await diffHeapSnapshots(files);
  } catch (e) {
    warnings.push(`Heap snapshots could not be compared: ${(e as Error).message}`);
    return null;
  }
}
