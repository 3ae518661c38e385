import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding.js';
import { parseBudget } from '../../src/gate/budget.js';
import { loopRuns } from '../../src/gate/loop-runs.js';
import { groupRepeats, loggedIterations, loggedIterationTable } from '../../src/report/iteration-log.js';
import { effortOf, findingComponent, opportunities, priorityOf } from '../../src/report/opportunities.js';
import { phaseSummary, phaseSummaryMarkdown } from '../../src/report/phase-summary.js';
import { recordFromLatencies, steadyLatencies } from '../gate/records.js';

const f = (rule: string, title: string, pct: number, evidence: Record<string, unknown> = {}): Finding => ({
  rule,
  area: 'db',
  severity: pct >= 20 ? 'high' : 'medium',
  title,
  evidence,
  recommendation: 'r',
  estimatedImpact: { pct, basis: 'b' },
});
const top = (name: string, selfPct: number, more: { name: string; selfPct: number }[] = []) => ({
  top: [{ name, selfPct }, ...more].map((t) => ({
    ...t,
    file: 'x.js',
    line: 1,
    category: 'app',
    totalPct: t.selfPct,
    action: 'a',
  })),
  categories: [],
});

function loop() {
  const at = (m: number) => `2026-02-01T10:${String(m).padStart(2, '0')}:00.000Z`;
  return [
    recordFromLatencies(steadyLatencies(10, 300, 30, 1), {
      label: 'old run',
      startedAt: at(0),
      target: 'other service',
    }),
    recordFromLatencies(steadyLatencies(10, 240, 40, 2), {
      label: 'baseline',
      gitSha: 'a'.repeat(40),
      startedAt: at(1),
      findings: [f('db.n-plus-one', 'N+1 in GET /orders', 60, { route: 'GET /orders' })],
      profile: top('loadOrders', 50, [{ name: 'render', selfPct: 10 }]),
    }),
    recordFromLatencies(steadyLatencies(10, 120, 80, 3), {
      label: 'batch order query',
      gitSha: 'b'.repeat(40),
      startedAt: at(2),
      findings: [f('db.missing-index', 'seq scan on orders', 30, { table: 'orders' })],
      profile: top('render', 30, [{ name: 'loadOrders', selfPct: 5 }]),
    }),
    recordFromLatencies(steadyLatencies(10, 118, 80, 4), {
      label: 'batch order query',
      gitSha: 'b'.repeat(40),
      startedAt: at(3),
      findings: [f('db.missing-index', 'seq scan on orders', 30, { table: 'orders' })],
      profile: top('render', 31, [{ name: 'loadOrders', selfPct: 5 }]),
    }),
    recordFromLatencies(steadyLatencies(10, 60, 150, 5), {
      label: 'index orders.customer_id',
      gitSha: 'c'.repeat(40),
      startedAt: at(4),
      findings: [
        f('cpu.serialization', 'JSON.stringify of the dashboard', 12, {
          function: 'serializeDashboard',
          file: '/app/src/dashboard.js',
        }),
        f('cpu.logging', 'sync logging', 9),
      ],
      profile: top('serializeDashboard', 12, [{ name: 'loadOrders', selfPct: 1 }]),
      memory: { rssStartMb: 90, rssEndMb: 100, rssMaxMb: 110, heapUsedSlopeMbPerMin: 0 },
    }),
  ].map((r) => ({
    ...r,
    run: { ...r.run, target: r.run.label === 'old run' ? 'other service' : 'node app.js' },
  }));
}

test('the loop starts at the newest baseline, keeps its target, and pools repeats into one iteration', () => {
  const runs = loopRuns(loop());
  assert.deepEqual(
    runs.map((r) => r.run.label),
    ['baseline', 'batch order query', 'batch order query', 'index orders.customer_id'],
  );
  assert.deepEqual(
    groupRepeats(runs).map((g) => g.length),
    [1, 2, 1],
  );
  const its = loggedIterations(runs, { repoUrl: 'https://github.com/acme/shop' });
  assert.equal(its.length, 3);
  assert.equal(its[1].bottleneck, 'N+1 in GET /orders');
  assert.equal(its[2].bottleneck, 'seq scan on orders', 'the top finding of the run before');
  assert.equal(its[1].verdict, 'improved');
  assert.equal(its[1].commitUrl, `https://github.com/acme/shop/commit/${'b'.repeat(40)}`);
  const table = loggedIterationTable(its);
  assert.match(
    table,
    /\| 1 \| N\+1 in GET \/orders \| batch order query <sub>×2 runs<\/sub> \| \S+ \| \S+ \| 5\d% \| improved <sub>\(CI \+\d+ … \+\d+%\)<\/sub>(<br><sub>[^|]*<\/sub>)? \| \[`bbbbbbb`\]\(https:\/\/github\.com\/acme\/shop\/commit\/b{40}\) \|/,
  );
});

test('the Phase 15 Summary: results, optimizations with impact, flame story, checklist from evidence, opportunities', () => {
  const runs = loopRuns(loop());
  const budget = parseBudget(
    {
      metrics: { p95_latency_ms: { max: 100 }, memory_mb: { max: 512 } },
      alerts: { p95_latency_ms: { warning: 80, critical: 150 } },
    },
    'performance-budget.json',
  );
  const s = phaseSummary({
    runs,
    budget,
    gateConfigFiles: ['.github/workflows/perf.yml'],
    components: { 'batch order query': 'GET /orders handler' },
  });
  assert.equal(s.beforeAfter.find((r) => r.name === 'p95_latency_ms')!.verdict, 'improved');
  assert.deepEqual(
    s.optimizations.map((o) => o.component),
    ['GET /orders handler', 'orders'],
  );
  assert.equal(s.flame.before!.topConsumer, 'loadOrders');
  assert.match(s.flame.after!.resolved, /^batch order query \(loadOrders 50% → 5% of CPU\)/);
  const check = Object.fromEntries(s.checklist.map((c) => [c.item, c]));
  assert.equal(check['Performance targets met'].checked, true, check['Performance targets met'].evidence);
  assert.equal(check['No regressions in functionality'].checked, true);
  assert.equal(check['Monitoring in place'].checked, true);
  assert.equal(check['Performance budgets enforced in CI'].checked, true);
  // a one-line fix with a 9 % gain comes before a code change with 12 %
  assert.deepEqual(
    s.opportunities.map((o) => [o.title, o.priority]),
    [
      ['sync logging', 'H'],
      ['JSON.stringify of the dashboard', 'M'],
    ],
  );
  assert.equal(s.targetsMet, true);
  const md = phaseSummaryMarkdown(s);
  for (const h of [
    '### Optimization Results',
    '**Before vs After**',
    '### Optimizations Applied',
    '### Flame Graph Summary',
    '### Verification',
    '### Remaining Opportunities',
    '**Performance targets achieved?** Yes',
  ])
    assert.ok(md.includes(h), h);
  assert.match(md, /\*\*Apdex\*\* \(T = 500 ms\): [\d.]+ \(\w+\) → [\d.]+ \(\w+\)/);
  assert.match(
    md,
    /- \[x\] Performance budgets enforced in CI — perfloop gate runs in \.github\/workflows\/perf\.yml/,
  );
  assert.match(
    md,
    /\| JSON\.stringify of the dashboard <sub>`cpu\.serialization`<\/sub> \| 12% \| M \| M \|/,
  );

  // Evidence against: a stricter target, failed requests, no alerts, no CI gate.
  const failing = runs.map((r, i) =>
    i === runs.length - 1
      ? { ...r, metrics: { ...r.metrics, http_req_failed: { rate: 0.02, count: 30, noResponse: 0 } } }
      : r,
  );
  const t = phaseSummary({
    runs: failing,
    budget: parseBudget({ metrics: { p95_latency_ms: { max: 10 } } }, 'b'),
    gateConfigFiles: [],
  });
  const c2 = Object.fromEntries(t.checklist.map((c) => [c.item, c.checked]));
  assert.deepEqual(c2, {
    'Performance targets met': false,
    'Load tests pass': false,
    'No regressions in functionality': false,
    'Monitoring in place': false,
    'Performance budgets enforced in CI': false,
  });
  assert.match(
    phaseSummaryMarkdown(t),
    /\*\*Performance targets achieved\?\*\* No — p95 latency not yet within target\./,
  );
});

test('opportunities: effort by the kind of fix, priority by gain and effort; components from evidence', () => {
  assert.equal(effortOf('db.missing-index'), 'L');
  assert.equal(effortOf('db.n-plus-one'), 'M');
  assert.equal(effortOf('cpu.deep-recursion'), 'H');
  assert.equal(priorityOf(25, 'H'), 'H');
  assert.equal(priorityOf(9, 'L'), 'H');
  assert.equal(priorityOf(9, 'M'), 'M');
  assert.equal(priorityOf(1, 'L'), 'L');
  const ranked = opportunities([
    f('cpu.hot-function', 'a', 9),
    f('db.missing-index', 'b', 9),
    f('x.y', 'c', 0.5),
  ]);
  assert.deepEqual(
    ranked.map((o) => [o.title, o.priority]),
    [
      ['b', 'H'],
      ['a', 'M'],
      ['c', 'L'],
    ],
  );
  assert.equal(
    findingComponent(f('cpu.hot-function', 't', 1, { function: 'serialize', file: '/a/b/c.js' })),
    'serialize (b/c.js)',
  );
  assert.equal(findingComponent(f('x', 't', 1, {})), null);
});

test('the bottleneck of an iteration is the finding its change removed, not merely the top one before it', () => {
  const at = (m: number) => `2026-02-01T11:${String(m).padStart(2, '0')}:00.000Z`;
  const leak = f('memory.growth', 'live heap grows 50 MB/min', 80);
  const runs = [
    recordFromLatencies(steadyLatencies(10, 200, 30, 1), {
      label: 'baseline',
      startedAt: at(1),
      findings: [leak, f('db.missing-index', 'seq scan on orders', 30, { table: 'orders' })],
    }),
    recordFromLatencies(steadyLatencies(10, 150, 30, 2), {
      label: 'index orders.customer_id',
      startedAt: at(2),
      findings: [leak],
    }),
    recordFromLatencies(steadyLatencies(10, 150, 30, 3), {
      label: 'tweak nothing',
      startedAt: at(3),
      findings: [leak],
    }),
  ];
  const its = loggedIterations(runs);
  assert.equal(its[1].bottleneck, 'seq scan on orders', 'the leak ranks higher but was not what changed');
  assert.equal(its[2].bottleneck, 'live heap grows 50 MB/min', 'nothing removed: the top finding before');
});
