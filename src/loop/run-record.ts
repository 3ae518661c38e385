import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { machineFingerprint, RUN_SCHEMA, type RunMetrics, type RunRecord, type ScenarioRef, type TestScenarioRow } from '../core/run.js';
import { loadShape } from './run-load.js';
import type { AgentSample, CapturedQuery, CapturedRequest } from '../agent/collector.js';
import type { ProcTreeSample } from '../target/index.js';
import { budgetTargets } from '../gate/budget.js';
import { heapTablesMarkdown, type HeapDiff } from '../memory/index.js';
import type { RunAnalysis } from './analyse-run.js';
import type { DatabaseOutcome } from './run-database.js';
import type { RunObservations } from './run-session.js';
import type { RunServiceOptions } from './run-service.js';
import { gitInfo } from './git.js';
import { timeline } from './run-metrics.js';
import { efficiency, hostLoad } from './host-load.js';

/** The captured queries and requests as NDJSON, for `perfloop queries DIR` and other tools. */
export function writeCaptures(
  dir: string,
  c: { queries: readonly CapturedQuery[]; requests: readonly CapturedRequest[] },
): Record<string, string> {
  const ndjson = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  writeFileSync(join(dir, 'queries.ndjson'), ndjson(c.queries));
  writeFileSync(join(dir, 'requests.ndjson'), ndjson(c.requests));
  return { queries: 'queries.ndjson', requests: 'requests.ndjson' };
}

/**
 * How the load reached the service, as measured: when most requests had to open a connection, the server
 * closed them (HTTP/1.0 or `Connection: close`), and the description says so instead of claiming keep-alive.
 */
function transportDescription(obs: RunObservations): string {
  const connecting = obs.load?.metrics.aggregate('http_req_connecting') as { histogram?: { percentile(p: number): number } } | undefined;
  const p50 = connecting?.histogram?.percentile(50) ?? 0;
  // A reused connection records 0 (stored as the histogram's 1 µs floor); a loopback connect takes ≥ 20 µs.
  return p50 > 0.01
    ? 'HTTP/1.1 client; the server closed connections (HTTP/1.0 or Connection: close), so most requests opened a new one'
    : 'HTTP/1.1 client, connections kept alive';
}

export function buildRunRecord(x: {
  o: RunServiceOptions;
  obs: RunObservations;
  id: string;
  startedAt: Date;
  scenario: ScenarioRef;
  testScenario: TestScenarioRow;
  metrics: RunMetrics;
  measured: { agent: AgentSample[]; proc: ProcTreeSample[] };
  analysis: RunAnalysis;
  database: DatabaseOutcome;
  heapDiff: HeapDiff | null;
  /** The load's endpoints with the agent's CPU per request joined in (endpointCpu); default the load's own. */
  endpoints?: RunRecord['endpoints'];
  artifacts: Record<string, string>;
  warnings: string[];
}): RunRecord {
  const { o, obs, metrics, analysis } = x;
  const load = obs.load!;
  const git = gitInfo(o.cwd ?? process.cwd());
  const json = load.toJSON();
  const shape = o.load ? loadShape(o.load) : null;
  const phase = obs.memoryPhaseS > 0 ? ` then ${obs.memoryPhaseS} s of the same load, unmeasured, for heap snapshots / GC probes` : '';
  return {
    schema: RUN_SCHEMA,
    run: {
      id: x.id,
      label: o.label,
      startedAt: x.startedAt.toISOString(),
      durationS: Math.round(load.durationS * 100) / 100,
      target: o.target ?? o.requests[0]?.url ?? o.load?.requests?.[0]?.url ?? o.load?.script ?? '',
      gitSha: git.sha,
      gitBranch: git.branch,
      gitDirty: git.dirty,
      scenario: x.scenario,
      machine: machineFingerprint(),
    },
    metrics,
    endpoints: x.endpoints ?? load.endpoints(),
    findings: analysis.findings,
    artifacts: x.artifacts,
    histograms: json.histograms,
    intervals: json.intervals,
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
      load: o.load
        ? `${shape!.description}, after ${o.warmupS} s warm-up${phase}; ${transportDescription(obs)}`
        : `constant-vus: ${o.vus} VUs for ${o.durationS} s after ${o.warmupS} s warm-up${phase}; ${transportDescription(obs)}; ${o.requests.length} request type(s)`,
      vus: shape ? shape.maxVUs : o.vus,
      durationS: shape ? shape.plannedS : o.durationS,
      warmupS: o.warmupS,
      profiler: obs.runtimeCapture?.profile
        ? obs.runtimeCapture.description
        : obs.profile
          ? `V8 sampling CPU profiler in-process (inspector), ${o.samplingIntervalUs} µs interval`
          : null,
    },
    queries: x.database.top,
    database: x.database.markdown ? { markdown: x.database.markdown } : null,
    timeline: timeline(obs.measureStart, obs.procSamples, obs.agentSamples, obs.heapProbes),
    heap: x.heapDiff
      ? {
          snapshots: x.heapDiff.snapshots.map((s) => ({
            file: basename(s.file),
            takenAt: s.takenAt || null,
            totalSize: s.totalSize,
          })),
          tablesMarkdown: heapTablesMarkdown(x.heapDiff),
        }
      : null,
    host: hostLoad(obs.hostSamples, x.measured.proc, obs.measureStart, obs.measureEnd),
    efficiency: efficiency(metrics),
    testScenario: x.testScenario,
    runtime: obs.runtime,
    http: obs.http,
    warnings: x.warnings,
  };
}
