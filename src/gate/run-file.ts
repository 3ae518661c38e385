import { scenarioFromRequestNames } from '../load/scenario-fingerprint.js';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { PerfloopError } from '../core/errors.js';
import { RUN_SCHEMA, type MachineFingerprint, type RunRecord } from '../core/run.js';

/**
 * Reads a run from a file: a `perfloop/run@1` report.json, or a `perfloop/load@1` result (`perfloop load
 * --result FILE`), which becomes a run record without resources, profile or machine fingerprint. Both carry
 * the per-second intervals the statistics need. A file that does not fit names the field (exit 2).
 */
export const LOAD_RESULT_SCHEMA = 'perfloop/load@1';

export const UNKNOWN_MACHINE: MachineFingerprint = {
  cpuModel: 'unknown',
  cores: 0,
  memoryGb: 0,
  nodeVersion: 'unknown',
  os: 'unknown',
};

const num = z.number();
const latency = z
  .object({ p50: num, p90: num, p95: num, p99: num, max: num, mean: num, count: num })
  .passthrough();
const interval = z.object({ t: num, count: num, errors: num, histogram: z.string() }).passthrough();
const endpoint = latency.extend({ name: z.string(), errors: num });

const runFile = z
  .object({
    schema: z.literal(RUN_SCHEMA),
    run: z.object({ id: z.string(), label: z.string(), startedAt: z.string(), durationS: num }).passthrough(),
    metrics: z
      .object({
        http_req_duration: latency,
        http_reqs: z.object({ count: num, rate: num }).passthrough(),
        http_req_failed: z.object({ rate: num, count: num }).passthrough(),
      })
      .passthrough(),
    intervals: z.array(interval),
    histograms: z.object({ http_req_duration: z.string() }).passthrough(),
  })
  .passthrough();

const loadFile = z
  .object({
    schema: z.literal(LOAD_RESULT_SCHEMA),
    startedAt: z.string(),
    durationS: num,
    metrics: z
      .object({
        http_req_duration: latency,
        http_reqs: z.object({ count: num, rate: num }).passthrough(),
        http_req_failed: z.object({ rate: num, count: num.optional() }).passthrough(),
        vus_max: z.object({ value: num }).passthrough().optional(),
      })
      .passthrough(),
    endpoints: z.array(endpoint).optional(),
    histograms: z.object({ http_req_duration: z.string() }).passthrough(),
    intervals: z.array(interval),
  })
  .passthrough();

function invalid(path: string, error: z.ZodError): PerfloopError {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return new PerfloopError('RUN_FILE_INVALID', `${path}: ${issues.join('; ')}`, {
    hint: `expected a ${RUN_SCHEMA} report.json or a ${LOAD_RESULT_SCHEMA} result with per-second intervals`,
  });
}

/** A `perfloop/load@1` document as a run record (what it lacks stays null/empty). */
export function runFromLoadResult(doc: z.infer<typeof loadFile>, source: string): RunRecord {
  const m = doc.metrics;
  const failedCount = m.http_req_failed.count ?? Math.round(m.http_req_failed.rate * m.http_reqs.count);
  const endpoints = doc.endpoints ?? [];
  return {
    schema: RUN_SCHEMA,
    run: {
      id: basename(source).replace(/\.json$/, ''),
      label: basename(source),
      startedAt: doc.startedAt,
      durationS: doc.durationS,
      target: 'unknown',
      gitSha: null,
      gitBranch: null,
      scenario: scenarioFromRequestNames(endpoints.map((e) => e.name)),
      machine: UNKNOWN_MACHINE,
    },
    metrics: {
      http_req_duration: { ...m.http_req_duration },
      http_reqs: { count: m.http_reqs.count, rate: m.http_reqs.rate },
      http_req_failed: { rate: m.http_req_failed.rate, count: failedCount, noResponse: 0 },
      cpu: null,
      memory: null,
      event_loop_delay: null,
    },
    endpoints: endpoints.map((e) => ({
      name: e.name,
      p50: e.p50,
      p90: e.p90,
      p95: e.p95,
      p99: e.p99,
      max: e.max,
      mean: e.mean,
      count: e.count,
      errors: e.errors,
    })),
    findings: [],
    artifacts: {},
    histograms: { http_req_duration: doc.histograms.http_req_duration },
    intervals: doc.intervals.map((i) => ({
      t: i.t,
      count: i.count,
      errors: i.errors,
      histogram: i.histogram,
    })),
    profile: null,
    budget: null,
    measurement: {
      command: '',
      load: 'perfloop load',
      vus: m.vus_max?.value ?? 0,
      durationS: doc.durationS,
      warmupS: 0,
      profiler: null,
    },
    queries: null,
    timeline: [],
    warnings: [],
  };
}

/** Parses the JSON of a run or load-result file. */
export function parseRunDocument(json: unknown, path: string): RunRecord {
  const schema = (json as { schema?: unknown } | null)?.schema;
  if (schema === LOAD_RESULT_SCHEMA) {
    const r = loadFile.safeParse(json);
    if (!r.success) throw invalid(path, r.error);
    return runFromLoadResult(r.data, path);
  }
  const r = runFile.safeParse(json);
  if (!r.success) throw invalid(path, r.error);
  const record = r.data as unknown as RunRecord;
  // Files from other tools or older versions may lack the optional parts; give them their empty forms.
  return {
    ...record,
    endpoints: record.endpoints ?? [],
    findings: record.findings ?? [],
    artifacts: record.artifacts ?? {},
    profile: record.profile ?? null,
    timeline: record.timeline ?? [],
    warnings: record.warnings ?? [],
    run: {
      ...record.run,
      machine: record.run.machine ?? UNKNOWN_MACHINE,
      gitSha: record.run.gitSha ?? null,
      gitBranch: record.run.gitBranch ?? null,
    },
  };
}

export function readRunFile(path: string): RunRecord {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PerfloopError('RUN_FILE_UNREADABLE', `cannot read ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PerfloopError('RUN_FILE_INVALID', `${path}: not JSON (${(e as Error).message})`);
  }
  return parseRunDocument(json, path);
}
