import { Histogram } from '../../src/core/histogram.js';
import { machineFingerprint, newRunId, RUN_SCHEMA, type RunRecord } from '../../src/core/run.js';
import { scenarioFromRequestNames } from '../../src/load/scenario-fingerprint.js';

/** A complete run record with one latency sample of `p95` ms and `findings` findings, for store tests. */
export function sampleRecord(label: string, p95: number, startedAt: string, findings = 1): RunRecord {
  const h = new Histogram();
  h.recordMs(p95);
  return {
    schema: RUN_SCHEMA,
    run: {
      id: newRunId(new Date(startedAt)),
      label,
      startedAt,
      durationS: 10,
      target: 'node server.js',
      gitSha: 'abc1234def',
      gitBranch: 'main',
      scenario: scenarioFromRequestNames(['GET /']),
      machine: machineFingerprint(),
    },
    metrics: {
      http_req_duration: { p50: p95 / 2, p90: p95, p95, p99: p95, max: p95, mean: p95 / 2, count: 100 },
      http_reqs: { count: 100, rate: 10 },
      http_req_failed: { rate: 0, count: 0, noResponse: 0 },
      cpu: { meanPct: 50, maxPct: 90 },
      memory: null,
      event_loop_delay: null,
    },
    endpoints: [],
    findings: Array.from({ length: findings }, (_, i) => ({
      rule: `cpu.hot-function`,
      area: 'cpu' as const,
      severity: 'high' as const,
      title: `hot ${i}`,
      evidence: { selfPct: 30 },
      recommendation: 'fix it',
      estimatedImpact: { pct: 30, basis: 'cpu' },
    })),
    artifacts: { report: 'report.md' },
    histograms: { http_req_duration: h.encode() },
    intervals: [{ t: 0, count: 1, errors: 0, histogram: h.encode() }],
    profile: null,
    budget: null,
    measurement: { command: 'perfloop run', load: 'constant-vus', vus: 1, durationS: 10, warmupS: 0, profiler: null },
    queries: null,
    timeline: [],
    warnings: [],
  };
}
