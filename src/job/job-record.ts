/**
 * A job as a run record, so the store, `runs`, `log`, `compare`, `gate` and the dashboard hold it like any run.
 * The job's runs play the part requests play for a service: `http_req_duration` is the distribution of the runs'
 * wall times (ms), `http_reqs` counts the runs and `http_req_failed` the runs that exited non-zero, so a listing's
 * p95 column is the job's p95 duration. The runs themselves, with CPU, memory and I/O, are in `job`.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.js';
import { Histogram } from '../core/histogram.js';
import {
  machineFingerprint,
  RUN_SCHEMA,
  type JobRecord,
  type ProfileTopEntry,
  type RunRecord,
  type ScenarioRef,
} from '../core/run.js';
import { shellCommand } from '../profile/capture/process-group.js';

/** A job's scenario: its name. Runs of one job are compared and gated with each other, whatever the command. */
export function jobScenario(name: string): ScenarioRef {
  const id = createHash('sha256').update(`job\u0000${name}`).digest('hex').slice(0, 12);
  return {
    id,
    name,
    description: `job ${name}`,
    spec: { requests: [], load: { executor: 'job', name } },
  };
}

export interface JobRecordInput {
  id: string;
  label: string;
  startedAt: Date;
  job: JobRecord;
  git: { sha: string | null; branch: string | null; dirty: boolean };
  findings: Finding[];
  top: ProfileTopEntry[];
  categories: { name: string; pct: number }[] | null;
  profiler: string | null;
  artifacts: Record<string, string>;
  budget: Record<string, number> | null;
  command: string;
  warnings: string[];
}

export function jobRunRecord(i: JobRecordInput): RunRecord {
  const runs = i.job.runs;
  const h = new Histogram();
  for (const r of runs) h.record(r.wallS * 1e6);
  const s = h.summaryMs();
  const totalS = Math.round(runs.reduce((t, r) => t + r.wallS, 0) * 1000) / 1000;
  const failed = runs.filter((r) => r.exitCode !== 0).length;
  const cpuTotal = runs.reduce((t, r) => t + (r.cpuS ?? 0), 0);
  const target = shellCommand(i.job.command);
  return {
    schema: RUN_SCHEMA,
    kind: 'job',
    run: {
      id: i.id,
      label: i.label,
      startedAt: i.startedAt.toISOString(),
      durationS: totalS,
      target,
      gitSha: i.git.sha,
      gitBranch: i.git.branch,
      gitDirty: i.git.dirty,
      scenario: jobScenario(i.job.name),
      machine: machineFingerprint(),
    },
    metrics: {
      http_req_duration: { p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, max: s.max, mean: s.mean, count: s.count },
      http_reqs: { count: runs.length, rate: totalS > 0 ? runs.length / totalS : 0 },
      http_req_failed: { rate: runs.length ? failed / runs.length : 0, count: failed, noResponse: 0 },
      cpu: totalS > 0 ? { meanPct: (100 * cpuTotal) / totalS, maxPct: Math.max(...runs.map((r) => (100 * (r.cpuS ?? 0)) / r.wallS)) } : null,
      memory: { rssStartMb: 0, rssEndMb: 0, rssMaxMb: i.job.peakRssMb, heapUsedSlopeMbPerMin: null },
      event_loop_delay: null,
    },
    endpoints: [],
    findings: i.findings,
    artifacts: i.artifacts,
    histograms: { http_req_duration: h.encode() },
    intervals: [],
    profile: i.categories ? { top: i.top, categories: i.categories } : null,
    budget: i.budget,
    measurement: {
      command: i.command,
      load: `${runs.length} runs of ${target}, one after another`,
      vus: 1,
      durationS: totalS,
      warmupS: 0,
      profiler: i.profiler,
    },
    queries: null,
    timeline: [],
    job: i.job,
    warnings: i.warnings,
  };
}
