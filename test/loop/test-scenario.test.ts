import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding.js';
import { Histogram } from '../../src/core/histogram.js';
import { MetricSet } from '../../src/core/metric-set.js';
import type { IntervalRecord } from '../../src/core/run.js';
import { defineLoad } from '../../src/load/load-definition.js';
import { defineBuiltinMetrics } from '../../src/load/recorder.js';
import { LoadResult } from '../../src/load/result.js';
import { testScenarioRow } from '../../src/loop/test-scenario.js';

/** Per-second intervals whose p95 is `ms[i]` (one request per value, ten per second). */
function intervals(ms: number[]): IntervalRecord[] {
  return ms.map((v, t) => {
    const h = new Histogram();
    for (let k = 0; k < 10; k++) h.record(v * 1000);
    return { t, count: 10, errors: 0, histogram: h.encode() };
  });
}

const leak: Finding = {
  rule: 'memory.growth',
  area: 'memory',
  severity: 'high',
  title: 'Heap grows 12 MB/min under steady load',
  evidence: {},
  recommendation: '',
  estimatedImpact: { pct: 10 },
} as unknown as Finding;

function endurance(ms: number[]) {
  const def = defineLoad({ requests: [{ url: 'http://127.0.0.1:1/' }], options: {}, quick: false }, { preset: 'endurance', scale: 0.01 }, {});
  const result = new LoadResult(new Date(), ms.length, defineBuiltinMetrics(new MetricSet()), intervals(ms), [], false);
  result.extras.preset = def.preset!.report(result);
  return { def, result };
}

test('endurance: the leak verdict comes from the memory findings of the same window, the drift from the intervals', () => {
  const steady = Array.from({ length: 36 }, () => 10);
  const { def, result } = endurance(steady);
  const healthy = testScenarioRow(def, result, { findings: [], memory: null, memoryEvidence: true }).row;
  assert.equal(healthy.scenario, 'endurance');
  assert.equal(healthy.vus, '50');
  assert.equal(healthy.duration, '36s');
  assert.equal(healthy.latencyDriftPct, 0);
  assert.deepEqual(healthy.criteria.map((c) => [c.name, c.ok]), [
    ['stable latency (p95 drift ≤ 20%)', true],
    ['no memory leak', true],
  ]);

  const leaking = testScenarioRow(def, result, { findings: [leak], memory: null, memoryEvidence: true }).row;
  const verdict = leaking.criteria.find((c) => c.name === 'no memory leak')!;
  assert.equal(verdict.ok, false);
  assert.match(verdict.detail, /Heap grows 12 MB\/min/);

  const drifting = endurance(steady.map((v, i) => v + i * 2));
  const row = testScenarioRow(drifting.def, drifting.result, { findings: [], memory: null, memoryEvidence: true }).row;
  assert.ok(row.latencyDriftPct! > 20, String(row.latencyDriftPct));
  assert.equal(row.criteria[0].ok, false);

  const unseen = testScenarioRow(def, result, { findings: [], memory: null, memoryEvidence: false });
  assert.ok(!unseen.row.criteria.some((c) => c.name === 'no memory leak'), 'no verdict without evidence');
  assert.match(unseen.warnings.join(' '), /no memory leak verdict/);
});
