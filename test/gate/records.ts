import { Histogram } from '../../src/core/histogram.js';
import { machineFingerprint, newRunId, RUN_SCHEMA, type RunRecord } from '../../src/core/run.js';
import type { Finding } from '../../src/core/finding.js';
import { runLoad } from '../../src/load/engine.js';
import { scenarioFromRequestNames } from '../../src/load/scenario-fingerprint.js';
import type { LoadResult } from '../../src/load/result.js';
import { delayed, startServer } from '../load/servers.js';

/** Test helper: real run records from the real load engine against a local server whose latency the test sets. */

export interface RecordOverrides {
  label?: string;
  gitSha?: string | null;
  gitBranch?: string | null;
  startedAt?: string;
  findings?: Finding[];
  profile?: RunRecord['profile'];
  artifacts?: Record<string, string>;
  timeline?: RunRecord['timeline'];
  target?: string;
  scenario?: RunRecord['run']['scenario'];
}

export function recordFromLoad(load: LoadResult, o: RecordOverrides = {}): RunRecord {
  const json = load.toJSON();
  const startedAt = o.startedAt ?? json.startedAt;
  return {
    schema: RUN_SCHEMA,
    run: {
      id: newRunId(new Date(startedAt)),
      label: o.label ?? '',
      startedAt,
      durationS: Math.round(load.durationS * 100) / 100,
      target: o.target ?? 'node test-server',
      gitSha: o.gitSha ?? null,
      gitBranch: o.gitBranch ?? null,
      scenario: scenarioFromRequestNames(load.requestNames),
      machine: machineFingerprint(),
    },
    metrics: {
      http_req_duration: json.metrics.http_req_duration,
      http_reqs: {
        count: json.metrics.http_reqs.count,
        rate: Math.round(json.metrics.http_reqs.rate * 100) / 100,
      },
      http_req_failed: {
        rate: json.metrics.http_req_failed.rate,
        count: json.metrics.http_req_failed.count,
        noResponse: 0,
      },
      cpu: null,
      memory: null,
      event_loop_delay: null,
    },
    endpoints: load.endpoints(),
    findings: o.findings ?? [],
    artifacts: o.artifacts ?? {},
    histograms: json.histograms,
    intervals: json.intervals,
    profile: o.profile ?? null,
    budget: null,
    measurement: {
      command: 'test',
      load: 'constant-vus',
      vus: 4,
      durationS: load.durationS,
      warmupS: 0,
      profiler: null,
    },
    queries: null,
    timeline: o.timeline ?? [],
    warnings: [],
  };
}

/** Loads a local server that answers after `latencyMs` (and fails every `failEvery`-th request) for `durationMs`. */
export async function measure(latencyMs: number, durationMs = 7000, failEvery = 0): Promise<LoadResult> {
  let n = 0;
  const ok = delayed(latencyMs);
  const fail = delayed(latencyMs, 'no', 500);
  const srv = await startServer((url, res) => (failEvery > 0 && ++n % failEvery === 0 ? fail : ok)(url, res));
  try {
    return await runLoad({
      requests: [{ name: 'GET /item', url: `${srv.url}/item` }],
      executor: { executor: 'constant-vus', vus: 4, duration: durationMs },
    });
  } finally {
    await srv.close();
  }
}

/**
 * A run record from given per-second latencies (ms), built through the same HdrHistogram encoding the
 * engine uses — for tests that need exact, fast control (budgets, alerts, baselines); the measured tests
 * use `measure` + `recordFromLoad`.
 */
export function recordFromLatencies(
  perSecond: readonly (readonly number[])[],
  o: RecordOverrides & {
    errorsPerSecond?: readonly number[];
    cpu?: RunRecord['metrics']['cpu'];
    memory?: RunRecord['metrics']['memory'];
    endpoints?: RunRecord['endpoints'];
    machine?: RunRecord['run']['machine'];
    budget?: RunRecord['budget'];
    warnings?: string[];
  } = {},
): RunRecord {
  const all = new Histogram();
  const intervals = perSecond.map((values, t) => {
    const h = new Histogram();
    for (const v of values) h.recordMs(v);
    all.merge(h);
    return { t, count: values.length, errors: o.errorsPerSecond?.[t] ?? 0, histogram: h.encode() };
  });
  const s = all.summaryMs();
  const count = all.count;
  const errors = intervals.reduce((a, i) => a + i.errors, 0);
  const startedAt = o.startedAt ?? new Date().toISOString();
  return {
    schema: RUN_SCHEMA,
    run: {
      id: newRunId(new Date(startedAt)),
      label: o.label ?? '',
      startedAt,
      durationS: perSecond.length,
      target: o.target ?? 'node test-server',
      gitSha: o.gitSha ?? null,
      gitBranch: o.gitBranch ?? null,
      scenario: o.scenario ?? scenarioFromRequestNames(['GET /item']),
      machine: o.machine ?? machineFingerprint(),
    },
    metrics: {
      http_req_duration: { p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, max: s.max, mean: s.mean, count },
      http_reqs: { count, rate: count / perSecond.length },
      http_req_failed: { rate: count ? errors / count : 0, count: errors, noResponse: 0 },
      cpu: o.cpu ?? null,
      memory: o.memory ?? null,
      event_loop_delay: null,
    },
    endpoints: o.endpoints ?? [
      {
        name: 'GET /item',
        p50: s.p50,
        p90: s.p90,
        p95: s.p95,
        p99: s.p99,
        max: s.max,
        mean: s.mean,
        count,
        errors,
      },
    ],
    findings: o.findings ?? [],
    artifacts: o.artifacts ?? {},
    histograms: { http_req_duration: all.encode() },
    intervals,
    profile: o.profile ?? null,
    budget: o.budget ?? null,
    measurement: {
      command: 'test',
      load: 'constant-vus',
      vus: 4,
      durationS: perSecond.length,
      warmupS: 0,
      profiler: null,
    },
    queries: null,
    timeline: o.timeline ?? [],
    warnings: o.warnings ?? [],
  };
}

/** `seconds` seconds of `perSecond` latencies around `medianMs` (deterministic spread). */
export function steadyLatencies(seconds: number, medianMs: number, perSecond = 100, seed = 1): number[][] {
  let x = seed * 7919;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: seconds }, () =>
    Array.from({ length: perSecond }, () => medianMs * Math.exp(0.3 * (next() + next() + next() - 1.5))),
  );
}

const encode = (values: readonly number[]) => {
  const h = new Histogram();
  for (const v of values) h.recordMs(v);
  return h.encode();
};

/** A run of a two-endpoint mix: `checkout` at `checkoutMs`, `browse` (4× the traffic) at 40 ms. */
export function mixRun(checkoutMs: number, seed: number): RunRecord {
  const checkout = steadyLatencies(20, checkoutMs, 25, seed);
  const browse = steadyLatencies(20, 40, 100, seed + 100);
  const r = recordFromLatencies(checkout.map((c, t) => [...c, ...browse[t]]));
  r.intervals = r.intervals.map((i) => ({
    ...i,
    endpoints: {
      checkout: { count: 25, errors: 0, histogram: encode(checkout[i.t]) },
      browse: { count: 100, errors: 0, histogram: encode(browse[i.t]) },
    },
  }));
  return r;
}
