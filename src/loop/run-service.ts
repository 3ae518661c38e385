import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PerfloopError } from '../core/errors.js';
import { machineFingerprint, newRunId, RUN_SCHEMA, type RunRecord } from '../core/run.js';
import type { Profile } from '../core/profile.js';
import { AgentCollector, type AgentSample } from '../agent/collector.js';
import {
  startTarget,
  ProcSampler,
  type RunningTarget,
  type ProcTreeSample,
  type ReadyCheck,
} from '../target/index.js';
import { runLoad, type LoadProgress } from '../load/engine.js';
import type { RequestTemplate } from '../load/scenario.js';
import type { LoadResult } from '../load/result.js';
import { importCpuProfile } from '../profile/import/cpuprofile.js';
import { budgetTargets, type Budget } from '../gate/budget.js';
import { RunStore } from '../store/run-store.js';
import { analyseRun } from './analyse-run.js';
import { gitInfo } from './git.js';
import { runMetrics, timeline } from './run-metrics.js';
import { writeRunReports } from './write-reports.js';
import { withoutAgentWork } from './agent-work.js';
import { markDisturbed, type PauseWindow } from './disturbed-intervals.js';
import type { MemoryPoint } from '../memory/timeline.js';
import { analyseDatabase, statementsBefore, type RunDatabaseAccess } from './run-database.js';
import type { StatementsSnapshot } from '../db/sources/pg-stat-statements.js';
import { diffHeapSnapshots, heapTablesMarkdown, type HeapDiff } from '../memory/index.js';

export interface RunServiceOptions {
  /** Command that starts the service; absent when the service is already running. */
  target?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Readiness: a URL answering 2xx, or a port number. Defaults to the first request's URL origin. */
  ready?: string;
  readyTimeoutMs?: number;
  requests: RequestTemplate[];
  vus: number;
  durationS: number;
  warmupS: number;
  label: string;
  outDir: string;
  /** SQLite store path; null to not store. */
  storePath: string | null;
  budget?: Budget;
  profile: boolean;
  samplingIntervalUs: number;
  memoryLimitMb?: number;
  /**
   * Every this many seconds of the measured load, force a full GC in the target and read the live heap: an exact
   * leak trend at the price of a GC pause per probe. 0 = off.
   */
  gcProbeS?: number;
  /** Heap snapshots at the start, spread over and at the end of the measured load (0 = none; else ≥ 2). */
  heapSnapshots?: number;
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
  outDir: string;
  budgetPass: boolean;
}

const AGENT_WAIT_MS = 5000;

function readyCheck(o: RunServiceOptions): ReadyCheck {
  if (o.ready && /^\d+$/.test(o.ready)) return { port: Number(o.ready) };
  if (o.ready) return { url: o.ready };
  const u = new URL(o.requests[0].url.replace(/\{\{[^}]*\}\}/g, '0'));
  return { port: Number(u.port || 80), host: u.hostname };
}

/**
 * The main job on one service: start it with the agent and the /proc sampler, warm up, load it while
 * profiling, analyse everything, write the reports and store the run. Interruption (signal) keeps and reports
 * what was measured.
 */
export async function runService(o: RunServiceOptions): Promise<RunServiceResult> {
  const log = o.log ?? (() => {});
  const outDir = resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  const cwd = o.cwd ?? process.cwd();
  const warnings: string[] = [];
  let collector: AgentCollector | null = null;
  let target: RunningTarget | null = null;
  let sampler: ProcSampler | null = null;
  let load: LoadResult | null = null;
  let profile: Profile | null = null;
  let agentSamples: AgentSample[] = [];
  let procSamples: ProcTreeSample[] = [];
  const heapProbes: MemoryPoint[] = [];
  const snapshotFiles: string[] = [];
  const snapshotTimers: NodeJS.Timeout[] = [];
  /** When snapshots paused the service: those seconds are left out of comparisons. */
  const snapshotPauses: PauseWindow[] = [];
  const takeSnapshot = async (c: AgentCollector) => {
    const path = join(outDir, `heap-${snapshotFiles.length + 1}.heapsnapshot`);
    snapshotFiles.push(path);
    const start = Date.now();
    try {
      await c.heapSnapshot(path);
    } catch (e) {
      snapshotFiles.pop();
      warnings.push(`A heap snapshot failed: ${(e as Error).message}`);
    } finally {
      snapshotPauses.push({ start, end: Date.now() });
    }
  };
  let pendingSnapshots: Promise<void>[] = [];
  let probeTimer: NodeJS.Timeout | null = null;
  const startedAt = new Date();
  let measureStart = Date.now();
  let statementsAtStart: StatementsSnapshot | null = null;
  try {
    if (o.target) {
      collector = o.profile ? await AgentCollector.listen() : null;
      log(`starting target: ${o.target}`);
      target = await startTarget({
        command: o.target,
        cwd,
        env: { ...o.env, ...(collector ? collector.targetEnv() : {}) },
        ready: readyCheck(o),
        readyTimeoutMs: o.readyTimeoutMs,
      });
      sampler = new ProcSampler(target.pid);
      sampler.start();
      if (collector) {
        try {
          const { pid } = await collector.waitForAgent(AGENT_WAIT_MS);
          log(`agent connected (pid ${pid})`);
        } catch {
          warnings.push(
            'The perfloop agent did not connect: the target is not a Node process (or blocks --import); no CPU profile, heap or query capture.',
          );
          await collector.close();
          collector = null;
        }
      }
    }
    if (o.warmupS > 0 && !o.signal?.aborted) {
      log(`warm-up ${o.warmupS}s`);
      await runLoad({
        requests: o.requests,
        executor: { executor: 'constant-vus', vus: o.vus, duration: o.warmupS * 1000 },
        signal: o.signal,
        seed: 7,
      });
    }
    statementsAtStart = await statementsBefore(o.db?.url, warnings);
    collector?.clearWindow();
    sampler?.stop();
    if (target && !target.hasExited()) {
      sampler = new ProcSampler(target.pid);
      sampler.start();
    }
    // The first and last heap snapshots are taken outside the profiled window so their cost is not in it.
    const snapshots = collector ? Math.max(0, o.heapSnapshots ?? 0) : 0;
    if (collector && snapshots >= 2) await takeSnapshot(collector);
    if (collector) await collector.startProfile(o.samplingIntervalUs);
    measureStart = Date.now();
    if (collector && o.gcProbeS && o.gcProbeS > 0) {
      const c = collector;
      let busy = false;
      probeTimer = setInterval(() => {
        if (busy || !c.connected) return;
        busy = true;
        c.gc()
          .then((r) => heapProbes.push({ t: r.t, value: r.heapUsed }))
          .catch(() => {})
          .finally(() => (busy = false));
      }, o.gcProbeS * 1000);
    }
    if (collector && snapshots >= 2) {
      // The first at the start, the last after the load; the others spread between (forced GC before each).
      const c = collector;
      for (let k = 1; k < snapshots - 1; k++) {
        snapshotTimers.push(
          setTimeout(
            () => pendingSnapshots.push(takeSnapshot(c)),
            (k * o.durationS * 1000) / (snapshots - 1),
          ),
        );
      }
    }
    if (!o.signal?.aborted) {
      log(`load: ${o.vus} VUs for ${o.durationS}s`);
      load = await runLoad({
        requests: o.requests,
        executor: { executor: 'constant-vus', vus: o.vus, duration: o.durationS * 1000 },
        signal: o.signal,
        onProgress: o.onProgress,
      });
    }
    for (const t of snapshotTimers) clearTimeout(t);
    await Promise.all(pendingSnapshots);
    pendingSnapshots = [];
    if (collector?.connected) {
      const path = join(outDir, 'profile.cpuprofile');
      try {
        const { ownWork } = await collector.stopProfile(path);
        const raw = importCpuProfile(JSON.parse(readFileSync(path, 'utf8')), 'profile.cpuprofile');
        profile = withoutAgentWork(raw, { ownWork });
      } catch (e) {
        warnings.push(`No CPU profile: ${(e as Error).message}`);
      }
    }
    if (collector?.connected && snapshots >= 2 && snapshotFiles.length > 0) await takeSnapshot(collector);
    if (load?.interrupted)
      warnings.push('The run was interrupted: the numbers cover only the part that ran.');
  } finally {
    if (probeTimer) clearInterval(probeTimer);
    procSamples = sampler?.stop() ?? [];
    agentSamples = collector ? [...collector.samples] : [];
    if (target?.hasExited())
      warnings.push(
        `The target exited during the run; its last stderr: ${target.stderrTail(5).join(' | ') || '(none)'}`,
      );
    if (target) {
      log('stopping target');
      await target.stop();
    }
  }
  if (!load) {
    await collector?.close();
    throw new PerfloopError(
      'RUN_INTERRUPTED',
      'interrupted before the measured load started: nothing to report',
      { exitCode: 1 },
    );
  }
  const queries = collector ? [...collector.queries] : [];
  const requests = collector ? [...collector.requests] : [];
  await collector?.close();
  const artifacts: Record<string, string> = profile ? { cpuprofile: 'profile.cpuprofile' } : {};
  if (collector) {
    // The captured queries and requests, for `perfloop queries DIR` and other tools (NDJSON, one per line).
    writeFileSync(
      join(outDir, 'queries.ndjson'),
      queries.map((q) => JSON.stringify(q)).join('\n') + (queries.length ? '\n' : ''),
    );
    writeFileSync(
      join(outDir, 'requests.ndjson'),
      requests.map((r) => JSON.stringify(r)).join('\n') + (requests.length ? '\n' : ''),
    );
    artifacts.queries = 'queries.ndjson';
    artifacts.requests = 'requests.ndjson';
  }

  const metrics = runMetrics(load, procSamples, agentSamples, heapProbes);
  const database = await analyseDatabase({
    access: o.db ?? {},
    before: statementsAtStart,
    queries,
    requests,
    samples: agentSamples,
    durationS: load.durationS,
    totalRequestMs: requests.reduce((s, r) => s + r.durationMs, 0),
    log,
  });
  warnings.push(...database.warnings);
  let heapDiff: HeapDiff | null = null;
  if (snapshotFiles.length >= 2) {
    log(`comparing ${snapshotFiles.length} heap snapshots`);
    try {
      heapDiff = await diffHeapSnapshots(snapshotFiles);
      snapshotFiles.forEach((f, i) => (artifacts[`heapsnapshot${i + 1}`] = basename(f)));
    } catch (e) {
      warnings.push(`Heap snapshots could not be compared: ${(e as Error).message}`);
    }
  }
  const analysis = analyseRun(
    {
      metrics,
      profile,
      agentSamples,
      procSamples,
      heapProbes,
      heapFindings: heapDiff?.findings ?? [],
      dbFindings: database.findings,
    },
    { budget: o.budget, memoryLimitMb: o.memoryLimitMb },
  );
  const git = gitInfo(cwd);
  const json = load.toJSON();
  const intervals = markDisturbed(json.intervals, snapshotPauses, load.startedAt.getTime());
  const disturbed = intervals.filter((i) => i.disturbed).length;
  if (disturbed > 0)
    warnings.push(
      `${disturbed} s of the load were paused by heap snapshots: comparisons with other runs leave those seconds out.`,
    );
  const record: RunRecord = {
    schema: RUN_SCHEMA,
    run: {
      id: newRunId(startedAt),
      label: o.label,
      startedAt: startedAt.toISOString(),
      durationS: Math.round(load.durationS * 100) / 100,
      target: o.target ?? o.requests[0].url,
      gitSha: git.sha,
      gitBranch: git.branch,
      scenario: load.requestNames.join(', '),
      machine: machineFingerprint(),
    },
    metrics,
    endpoints: load.endpoints(),
    findings: analysis.findings,
    artifacts,
    histograms: json.histograms,
    intervals,
    profile: analysis.profile
      ? {
          top: analysis.profile.top.map((t) => ({
            name: t.name,
            file: t.file,
            line: t.line,
            category: t.category,
            selfPct: t.selfPct,
            totalPct: t.totalPct,
            action: t.action,
          })),
          categories: analysis.profile.categories,
        }
      : null,
    budget: budgetTargets(o.budget),
    measurement: {
      command: o.command,
      load: `constant-vus: ${o.vus} VUs for ${o.durationS} s after ${o.warmupS} s warm-up, keep-alive HTTP/1.1, ${o.requests.length} request type(s)`,
      vus: o.vus,
      durationS: o.durationS,
      warmupS: o.warmupS,
      profiler: profile
        ? `V8 sampling CPU profiler in-process (inspector), ${o.samplingIntervalUs} µs interval`
        : null,
    },
    queries: database.top,
    database: database.markdown ? { markdown: database.markdown } : null,
    timeline: timeline(measureStart, procSamples, agentSamples, heapProbes),
    heap: heapDiff
      ? {
          snapshots: heapDiff.snapshots.map((s) => ({
            file: basename(s.file),
            takenAt: s.takenAt || null,
            totalSize: s.totalSize,
          })),
          tablesMarkdown: heapTablesMarkdown(heapDiff),
        }
      : null,
    warnings,
  };
  writeRunReports(outDir, record, profile);
  if (o.storePath !== null) {
    const store = RunStore.open(o.storePath);
    try {
      store.save(record, outDir);
    } finally {
      store.close();
    }
  }
  return { record, outDir, budgetPass: analysis.budget.every((b) => b.pass) };
}
