import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfloopError } from '../../src/core/errors.js';
import { alertLevels, levelOf } from '../../src/gate/alerts.js';
import { apdexOf } from '../../src/gate/apdex.js';
import { loadBudget, parseBudget } from '../../src/gate/budget.js';
import { checkAllBudgets } from '../../src/gate/budget-check.js';
import { checkThresholds } from '../../src/gate/thresholds.js';
import { tempDir } from '../helpers.js';
import { recordFromLatencies } from './records.js';

const METHOD_BUDGET = {
  metrics: {
    p95_latency_ms: { max: 200 },
    p99_latency_ms: { max: 500 },
    error_rate: { max: 0.01 },
    memory_mb: { max: 512 },
  },
};

test('the method’s budget file parses as before; the extended parts are optional', () => {
  const b = parseBudget(METHOD_BUDGET, 'performance-budget.json');
  assert.deepEqual(b.limits, METHOD_BUDGET.metrics);
  assert.equal(b.operations, undefined);
  const full = parseBudget(
    {
      metrics: { p95_latency_ms: { max: 200 } },
      operations: { 'GET /api/orders': { p95_latency_ms: { max: 150 }, error_rate: { max: 0.01 } } },
      thresholds: {
        http_req_duration: ['p(95)<200', { threshold: 'p(99)<500', abortOnFail: true }],
        'http_req_failed{name:login}': 'rate<0.01',
      },
      alerts: { p95_latency_ms: { warning: 100, critical: 250 } },
      apdex: { t_ms: 300, min: 0.9 },
      regression: { min_effect_pct: 10, alpha: 0.005, metrics: ['p50_latency_ms', 'p99_latency_ms'] },
    },
    'b.json',
  );
  assert.deepEqual(full.thresholds, {
    http_req_duration: ['p(95)<200', 'p(99)<500'],
    'http_req_failed{name:login}': ['rate<0.01'],
  });
  assert.deepEqual(full.apdex, { tMs: 300, min: 0.9 });
  assert.deepEqual(full.regression, {
    minEffectPct: 10,
    alpha: 0.005,
    metrics: ['p50_latency_ms', 'p99_latency_ms'],
  });
});

test('a budget that does not validate names every bad field (exit 2)', () => {
  const bad = {
    metrics: { p95_latency_ms: { max: 'fast' }, p96_latency_ms: { max: 1 } },
    operations: { login: { memory_mb: { max: 1 } } },
    thresholds: { http_req_duration: ['p(95)<<200', 'rate<0.1'], checks: ['rate>0.9'] },
    alerts: { cpu_pct: { warning: 90, critical: 70 } },
    apdex: { t_ms: -1 },
    metric: {},
  };
  let err: PerfloopError | undefined;
  try {
    parseBudget(bad, 'b.json');
  } catch (e) {
    err = e as PerfloopError;
  }
  assert.ok(err instanceof PerfloopError);
  assert.equal(err.exitCode, 2);
  assert.equal(err.code, 'BUDGET_INVALID');
  for (const field of [
    'metrics.p95_latency_ms.max',
    'p96_latency_ms',
    'operations.login',
    'memory_mb',
    'thresholds.http_req_duration.0',
    'thresholds.http_req_duration.1',
    'thresholds.checks',
    'alerts.cpu_pct',
    'apdex.t_ms',
    '"metric"',
  ])
    assert.ok(err.message.includes(field), `message should name ${field}: ${err.message}`);
  const dir = tempDir();
  writeFileSync(join(dir, 'b.json'), '{ not json');
  assert.throws(
    () => loadBudget(join(dir, 'b.json')),
    (e: PerfloopError) => e.code === 'BUDGET_INVALID' && e.exitCode === 2,
  );
  assert.throws(
    () => loadBudget(join(dir, 'missing.json')),
    (e: PerfloopError) => e.code === 'BUDGET_UNREADABLE',
  );
});

test('run-wide and per-operation budgets, and the Apdex minimum, checked on a run', () => {
  const r = recordFromLatencies(
    Array.from({ length: 10 }, () => Array.from({ length: 100 }, (_, i) => 10 + i)),
    {
      errorsPerSecond: new Array(10).fill(2),
      memory: { rssStartMb: 100, rssEndMb: 120, rssMaxMb: 130, heapUsedSlopeMbPerMin: 1 },
      endpoints: [
        { name: 'GET /fast', p50: 20, p90: 30, p95: 40, p99: 50, max: 60, mean: 22, count: 800, errors: 0 },
        {
          name: 'GET /slow',
          p50: 80,
          p90: 100,
          p95: 105,
          p99: 109,
          max: 110,
          mean: 81,
          count: 200,
          errors: 20,
        },
      ],
    },
  );
  const b = parseBudget(
    {
      metrics: {
        p95_latency_ms: { max: 200 },
        error_rate: { max: 0.01 },
        memory_mb: { max: 512 },
        throughput_rps: { min: 50 },
      },
      operations: {
        'GET /fast': { p95_latency_ms: { max: 50 } },
        'GET /slow': { p95_latency_ms: { max: 100 }, error_rate: { max: 0.05 } },
        'GET /gone': { p50_latency_ms: { max: 1 } },
        // the scenario as a whole (recordFromLatencies names it after its one request type)
        [r.run.scenario.name!]: { error_rate: { max: 0.05 } },
      },
      apdex: { t_ms: 50, min: 0.8 },
    },
    'b.json',
  );
  const checks = checkAllBudgets(r, b, apdexOf(r, 50)!.score);
  const by = (scope: string, metric: string, op?: string) =>
    checks.find((c) => c.scope === scope && c.metric.startsWith(metric) && c.operation === op)!;
  assert.equal(by('run', 'p95_latency_ms').pass, true);
  assert.equal(by('run', 'error_rate').pass, false, '2 % errors > 1 %');
  assert.equal(by('run', 'memory_mb').actual, 130);
  assert.equal(by('run', 'throughput_rps').pass, true);
  assert.equal(by('operation', 'p95_latency_ms', 'GET /fast').pass, true);
  assert.equal(by('operation', 'p95_latency_ms', 'GET /slow').pass, false);
  assert.equal(by('operation', 'error_rate', 'GET /slow').actual, 0.1);
  const gone = by('operation', 'p50_latency_ms', 'GET /gone');
  assert.equal(gone.pass, false, 'a budget on an endpoint the run lacks cannot pass');
  assert.match(gone.note!, /no endpoint/);
  assert.equal(by('operation', 'error_rate', r.run.scenario.name).actual, r.metrics.http_req_failed.rate);
  const apdex = by('run', 'apdex');
  assert.equal(apdex.kind, 'min');
  assert.equal(apdex.pass, false);
});

test('k6 threshold expressions judged on a stored run', () => {
  const r = recordFromLatencies(
    Array.from({ length: 10 }, () => Array.from({ length: 100 }, (_, i) => 1 + i)),
    { errorsPerSecond: new Array(10).fill(1) },
  );
  const res = checkThresholds(r, {
    http_req_duration: ['p(95)<200', 'p(99.9)<100', 'med<=51', 'avg<10', 'min>0.5'],
    http_req_failed: ['rate<0.02'],
    http_reqs: ['count>=1000', 'rate>200'],
    'http_req_duration{name:GET /item}': ['p(90)<95', 'p(75)<10'],
    'http_req_duration{name:nope}': ['p(95)<1'],
    'http_req_duration{status:200}': ['p(95)<1'],
  });
  const get = (m: string, e: string) => res.find((x) => x.metric === m && x.expression === e)!;
  assert.equal(get('http_req_duration', 'p(95)<200').pass, true);
  assert.ok(
    Math.abs(get('http_req_duration', 'p(95)<200').actual! - 95) < 0.1,
    'p95 from the histogram (3 significant digits)',
  );
  assert.equal(get('http_req_duration', 'p(99.9)<100').pass, false, 'p99.9 is 100 ms');
  assert.equal(get('http_req_duration', 'med<=51').pass, true);
  assert.equal(get('http_req_duration', 'avg<10').pass, false);
  assert.equal(get('http_req_duration', 'min>0.5').pass, true);
  assert.equal(get('http_req_failed', 'rate<0.02').pass, true);
  assert.equal(get('http_reqs', 'count>=1000').pass, true);
  assert.equal(get('http_reqs', 'rate>200').pass, false);
  assert.equal(get('http_req_duration{name:GET /item}', 'p(90)<95').pass, true);
  const p75 = get('http_req_duration{name:GET /item}', 'p(75)<10');
  assert.equal(p75.pass, false);
  assert.match(p75.note!, /not kept/);
  assert.match(get('http_req_duration{name:nope}', 'p(95)<1').note!, /no endpoint/);
  assert.match(get('http_req_duration{status:200}', 'p(95)<1').note!, /only the name tag/);
});

test('alert levels from the method’s table, overridable by the budget', () => {
  assert.equal(levelOf(150, 150, 300), 'ok', 'the table says "> 150 ms"');
  assert.equal(levelOf(151, 150, 300), 'warning');
  assert.equal(levelOf(301, 150, 300), 'critical');
  assert.equal(levelOf(null, 1, 2), 'unknown');
  const r = recordFromLatencies(
    Array.from({ length: 5 }, () => new Array(100).fill(200)),
    {
      errorsPerSecond: [1, 1, 1, 1, 1],
      cpu: { meanPct: 95, maxPct: 100 },
      memory: { rssStartMb: 100, rssEndMb: 400, rssMaxMb: 420, heapUsedSlopeMbPerMin: null },
    },
  );
  const levels = Object.fromEntries(
    alertLevels(r, parseBudget({ metrics: { memory_mb: { max: 512 } } }, 'b')).map((a) => [a.metric, a]),
  );
  assert.equal(levels.p95_latency_ms.level, 'warning');
  assert.equal(levels.error_rate.level, 'warning', '1 % errors: over 0.5 %, under 2 %');
  assert.equal(levels.memory_pct.value, 82);
  assert.equal(levels.memory_pct.level, 'warning');
  assert.equal(levels.cpu_pct.level, 'critical');
  assert.equal(levels.cpu_pct.action, 'Auto-scale');
  const custom = Object.fromEntries(
    alertLevels(r, parseBudget({ alerts: { p95_latency_ms: { warning: 250, critical: 400 } } }, 'b')).map(
      (a) => [a.metric, a],
    ),
  );
  assert.equal(custom.p95_latency_ms.level, 'ok');
});

test('Apdex: satisfied ≤ T, tolerating ≤ 4T counted half, failures frustrated', () => {
  // 60 at 100 ms, 30 at 1 s, 10 at 3 s per second; T = 500 ms → (60 + 30/2) / 100
  const r = recordFromLatencies(
    Array.from({ length: 4 }, () => [
      ...new Array(60).fill(100),
      ...new Array(30).fill(1000),
      ...new Array(10).fill(3000),
    ]),
  );
  const a = apdexOf(r, 500)!;
  assert.equal(a.score, 0.75);
  assert.equal(a.rating, 'fair');
  assert.deepEqual([a.satisfied, a.tolerating, a.frustrated], [240, 120, 40]);
  const failing = recordFromLatencies(
    Array.from({ length: 4 }, () => new Array(100).fill(100)),
    { errorsPerSecond: [10, 10, 10, 10] },
  );
  assert.equal(apdexOf(failing, 500)!.score, 0.9);
  assert.equal(apdexOf(recordFromLatencies([[]]), 500), null);
});
