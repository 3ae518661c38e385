import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, comparisonDocument, COMPARISON_METRICS } from '../../src/gate/compare/compare-runs.js';
import { RUNS_AS_UNITS } from '../../src/gate/compare/units.js';
import { recordFromLatencies, steadyLatencies } from './records.js';

const timeline = (seconds: number, rss: number, cpu: number, wobble = 0) =>
  Array.from({ length: seconds }, (_, t) => ({
    t,
    rssMb: rss + ((t * 7) % 5) - 2 + wobble * ((t % 3) - 1),
    heapUsedMb: null,
    liveHeapMb: null,
    cpuPct: cpu + ((t * 3) % 7) - 3,
    eventLoopP99Ms: null,
  }));

test('every metric of the method’s Before vs After, with memory and CPU from the per-second timeline', () => {
  const before = recordFromLatencies(steadyLatencies(20, 20, 100, 1), { timeline: timeline(20, 100, 50) });
  const after = recordFromLatencies(steadyLatencies(20, 20, 100, 2), { timeline: timeline(20, 160, 50) });
  const rows = compareRuns(before, after);
  assert.deepEqual(
    rows.map((r) => r.name),
    [...COMPARISON_METRICS],
  );
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  assert.equal(by.memory_mb.verdict, 'regressed');
  assert.ok(Math.abs(by.memory_mb.changePct! - 60) < 2);
  assert.equal(by.cpu_pct.verdict, 'same');
  assert.equal(by.p50_latency_ms.verdict, 'same');
  assert.equal(by.throughput_rps.verdict, 'same');
  for (const r of rows) {
    assert.equal(r.sampleUnit, 'interval');
    assert.ok(r.ci === null || r.ci[0] <= r.ci[1]);
  }
});

test('latency: a 30 % slowdown is a regression, a speed-up an improvement; throughput is better when higher', () => {
  const base = recordFromLatencies(steadyLatencies(15, 20, 100, 3));
  const slow = recordFromLatencies(steadyLatencies(15, 26, 77, 4));
  const rows = Object.fromEntries(compareRuns(base, slow).map((r) => [r.name, r]));
  assert.equal(rows.p50_latency_ms.verdict, 'regressed');
  assert.equal(rows.p95_latency_ms.verdict, 'regressed');
  assert.equal(rows.throughput_rps.verdict, 'regressed');
  assert.equal(rows.throughput_rps.betterWhen, 'higher');
  const back = Object.fromEntries(compareRuns(slow, base).map((r) => [r.name, r]));
  assert.equal(back.p50_latency_ms.verdict, 'improved');
  assert.equal(back.throughput_rps.verdict, 'improved');
});

test('too little data: unknown, with how many more runs would decide', () => {
  const a = recordFromLatencies(steadyLatencies(4, 20, 30, 5));
  const b = recordFromLatencies(steadyLatencies(4, 21.5, 30, 6));
  const p95 = compareRuns(a, b).find((r) => r.name === 'p95_latency_ms')!;
  assert.equal(p95.verdict, 'unknown');
  assert.ok(p95.moreRuns !== null && p95.moreRuns >= 1, `moreRuns ${p95.moreRuns}`);
});

test(`repeated runs: with ${RUNS_AS_UNITS}+ runs a side the run is the unit, and run-to-run noise is not signal`, () => {
  // Each run is internally steady but runs differ by up to ±8 % (a noisy machine), both sides alike.
  const runs = (n: number, seed: number) =>
    Array.from({ length: n }, (_, i) =>
      recordFromLatencies(
        steadyLatencies(6, 20 * (1 + 0.08 * Math.sin(seed * 13 + i * 2.1)), 60, seed * 100 + i),
      ),
    );
  const before = runs(RUNS_AS_UNITS, 1);
  const after = runs(RUNS_AS_UNITS, 2);
  const rows = compareRuns(before, after);
  assert.equal(rows[0].sampleUnit, 'run');
  assert.deepEqual(rows[0].samples, [RUNS_AS_UNITS, RUNS_AS_UNITS]);
  for (const r of rows) assert.notEqual(r.verdict, 'regressed', `${r.name}: ${r.note}`);
  for (const r of rows) assert.notEqual(r.verdict, 'improved', `${r.name}: ${r.note}`);
  // With two runs a side the unit is the interval, and the bootstrap resamples runs first.
  const few = compareRuns(before.slice(0, 2), after.slice(0, 2));
  assert.equal(few[0].sampleUnit, 'interval');
  assert.deepEqual(few[0].samples, [12, 12]);
});

test('perfloop/compare@1 document: the contract’s fields', () => {
  const a = recordFromLatencies(steadyLatencies(10, 20, 50, 7), { label: 'before' });
  const b = recordFromLatencies(steadyLatencies(10, 10, 100, 8), { label: 'after' });
  const doc = comparisonDocument({ runs: [a], source: 'a' }, { runs: [b], source: 'b' });
  assert.equal(doc.schema, 'perfloop/compare@1');
  for (const m of doc.metrics)
    for (const k of ['name', 'before', 'after', 'changePct', 'ci', 'pValue', 'verdict'])
      assert.ok(k in m, `${m.name} lacks ${k}`);
  const names = doc.metrics.map((m) => m.name);
  for (const n of [
    'p50_latency_ms',
    'p95_latency_ms',
    'p99_latency_ms',
    'throughput_rps',
    'error_rate',
    'memory_mb',
    'cpu_pct',
  ])
    assert.ok(names.includes(n as never), n);
  assert.equal(doc.metrics[0].verdict, 'improved');
  assert.ok(doc.before.apdex && doc.after.apdex);
  assert.equal(
    doc.counts.improved + doc.counts.regressed + doc.counts.same + doc.counts.unknown,
    doc.metrics.length,
  );
});
