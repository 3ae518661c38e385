import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding.js';
import { demoSummaryMarkdown } from '../../src/loop/demo-summary.js';
import { fmtMs } from '../../src/report/markdown.js';
import { mixRun, recordFromLatencies, steadyLatencies } from '../gate/records.js';

const finding = (rule: string, evidence: Record<string, unknown> = {}): Finding => ({
  rule,
  area: 'memory',
  severity: 'high',
  title: rule,
  evidence,
  recommendation: '',
  estimatedImpact: { pct: 10, basis: 'test' },
});

test('demo summary: each fix with its verdict against the run before and the findings it removed', () => {
  const baseline = {
    ...recordFromLatencies(steadyLatencies(20, 40, 100, 1)),
    findings: [
      finding('db.n-plus-one'),
      finding('memory.growth'),
      finding('cpu.hot-function', { function: 'serializeDashboard' }),
      finding('cpu.hot-function', { function: 'render' }),
    ],
  };
  baseline.run = { ...baseline.run, label: 'baseline' };
  const fixed = {
    ...recordFromLatencies(steadyLatencies(20, 10, 100, 2)),
    findings: [finding('memory.growth'), finding('cpu.hot-function', { function: 'render' })],
  };
  fixed.run = { ...fixed.run, label: 'batch order query' };
  const md = demoSummaryMarkdown([
    { record: baseline, bottleneck: 'N+1', change: '–', dir: '/out/00-baseline' },
    {
      record: fixed,
      bottleneck: 'DB query in loop (N+1)',
      change: 'one batched query',
      dir: '/out/01-batch-order-query',
      component: 'GET /api/customers/top',
      endpoint: 'GET /item',
    },
  ]);
  const row = md.split('\n').find((l) => l.startsWith('| 1 |'))!;
  assert.match(row, /DB query in loop \(N\+1\)/);
  assert.match(row, /p95 latency: \*\*improved\*\*/);
  // The endpoint the fix is for, on its own: its p95 before → after.
  const ep = (r: typeof baseline) => r.endpoints.find((e) => e.name === 'GET /item')!;
  assert.ok(ep(fixed).p95 < ep(baseline).p95);
  assert.ok(row.includes(`<br>GET /item p95: ${fmtMs(ep(baseline).p95)} → ${fmtMs(ep(fixed).p95)} (−`), row);
  assert.match(row, /`db\.n-plus-one`/);
  assert.doesNotMatch(row, /memory\.growth/); // still there: not resolved
  // A hot function that is gone counts, though the rule still fires on another function.
  assert.match(row, /`cpu\.hot-function` \(serializeDashboard\)/);
  assert.doesNotMatch(row, /\(render\)/);
  // Down to low ("may grow, too uncertain to call") is gone as well; a finding still high is not.
  const lowAfter = {
    ...fixed,
    findings: [
      { ...finding('memory.growth'), severity: 'low' as const },
      finding('cpu.hot-function', { function: 'render' }),
    ],
  };
  const md2 = demoSummaryMarkdown([
    { record: baseline, bottleneck: 'N+1', change: '–', dir: '/out/00-baseline' },
    { record: lowAfter, bottleneck: 'leak', change: 'LRU', dir: '/out/01-lru' },
  ]);
  assert.match(
    md2.split('\n').find((l) => l.startsWith('| 1 |'))!,
    /`memory\.growth`/,
  );
  assert.match(md, /## Phase 15 Summary: Performance Optimization/);
  assert.match(md, /\[report\]\(01-batch-order-query\/report\.md\)/);
});

test('demo summary: with per-endpoint intervals, the fix gets a verdict on its own endpoint', () => {
  const before = { ...mixRun(45, 1), findings: [] };
  const after = { ...mixRun(30, 2), findings: [] };
  const md = demoSummaryMarkdown([
    { record: before, bottleneck: '–', change: '–', dir: '/out/00-baseline' },
    {
      record: after,
      bottleneck: 'slow checkout',
      change: 'cache prices',
      dir: '/out/01-x',
      endpoint: 'checkout',
    },
  ]);
  const row = md.split('\n').find((l) => l.startsWith('| 1 |'))!;
  assert.match(row, /<br>checkout p95: \*\*improved\*\* \([\d.]+ms → [\d.]+ms, −3\d\.\d%, p <0\.001\)/);
});

test('demo summary: a memory fix shows both heap trends; a p95 change its verdict does not back is marked', () => {
  const withHeap = (r: ReturnType<typeof recordFromLatencies>, slope: number) => ({
    ...r,
    metrics: { ...r.metrics, memory: { rssStartMb: 100, rssEndMb: 120, rssMaxMb: 125, heapUsedSlopeMbPerMin: slope } },
    findings: [],
  });
  // Same latency distribution (different seeds): the fix changes memory, not speed.
  const leaking = withHeap(recordFromLatencies(steadyLatencies(20, 40, 100, 1)), 54.7);
  const bounded = withHeap(recordFromLatencies(steadyLatencies(20, 40, 100, 2)), 0.4);
  const md = demoSummaryMarkdown([
    { record: leaking, bottleneck: '–', change: '–', dir: '/out/00-baseline' },
    { record: bounded, bottleneck: 'cache never evicts', change: 'LRU', dir: '/out/01-lru', evidence: 'memory' },
  ]);
  const row = md.split('\n').find((l) => l.startsWith('| 1 |'))!;
  assert.match(row, /<br>heap trend: \+54\.7 MB\/min → \+0\.4 MB\/min/);
  // With heap snapshots on both sides, their growth (live heap after GC) is the evidence.
  const snaps = (mb: number[]) => ({ snapshots: mb.map((x) => ({ file: 'h', takenAt: null, totalSize: x * 2 ** 20 })), tablesMarkdown: '' });
  const md3 = demoSummaryMarkdown([
    { record: { ...leaking, heap: snaps([300, 334.4, 371.3]) }, bottleneck: '–', change: '–', dir: '/out/00-baseline' },
    { record: { ...bounded, heap: snaps([316.1, 315.7, 315.8]) }, bottleneck: 'leak', change: 'LRU', dir: '/out/01-lru', evidence: 'memory' },
  ]);
  assert.match(md3, /<br>live heap across the heap snapshots: \+71\.3 MB → −0\.3 MB/);
  const improvement = row.split(' | ')[5];
  assert.match(improvement, /^-?\d+% \((same|unknown)\)$/, improvement);
  // Without memory evidence the line is left out rather than guessed.
  const md2 = demoSummaryMarkdown([
    { record: leaking, bottleneck: '–', change: '–', dir: '/out/00-baseline' },
    { record: bounded, bottleneck: 'x', change: 'y', dir: '/out/01-x' },
  ]);
  assert.doesNotMatch(md2, /heap trend/);
  assert.doesNotMatch(md2, /host busier/); // no host figures: nothing claimed
  // A busier host on one side is named in the row: it is why the verdicts are unknown.
  const host = (otherCpuPct: number) => ({ otherCpuPct, stealPct: 0, loadAvg1: 2, generatorCpuPct: 5, intervals: [] });
  const md4 = demoSummaryMarkdown([
    { record: { ...leaking, host: host(106) }, bottleneck: '–', change: '–', dir: '/out/00-baseline' },
    { record: { ...bounded, host: host(147.3) }, bottleneck: 'x', change: 'y', dir: '/out/01-x' },
  ]);
  assert.match(md4, /<br>⚠ host busier after: other processes 106 % → 147\.3 % of a core/);
});
