import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ComparisonRow } from '../../src/gate/compare/compare-runs.js';
import {
  comparisonMarkdown,
  comparisonText,
  fmtChange,
  fmtCi,
  fmtP,
  fmtValue,
  fmtVerdict,
} from '../../src/report/comparison.js';

const row = (over: Partial<ComparisonRow>): ComparisonRow => ({
  name: 'p95_latency_ms',
  label: 'p95 latency',
  unit: 'ms',
  betterWhen: 'lower',
  before: 120,
  after: 60,
  changePct: -50,
  ci: [-55.2, -44.9],
  pValue: 0.0004,
  verdict: 'improved',
  samples: [30, 30],
  sampleUnit: 'interval',
  moreRuns: null,
  note: '',
  ...over,
});

test('values, changes, intervals, p-values and verdicts are formatted for people', () => {
  assert.equal(fmtValue(120, 'ms'), '120ms');
  assert.equal(fmtValue(0.0123, 'ratio'), '1.23%');
  assert.equal(fmtValue(512.4, 'MB'), '512 MB');
  assert.equal(fmtValue(95.25, 'req/s'), '95.3 req/s');
  assert.equal(fmtValue(null, 'ms'), '–');
  assert.equal(fmtChange(-50), '−50.0%');
  assert.equal(fmtChange(12.34), '+12.3%');
  assert.equal(fmtCi([-55.2, 3]), '−55.2 … +3.0%');
  assert.equal(fmtP(0.0004), '<0.001');
  assert.equal(fmtP(0.0312), '0.031');
  assert.equal(fmtVerdict(row({ verdict: 'unknown', moreRuns: 3 })), '❔ unknown (≈3 more runs per side)');
  assert.equal(
    fmtVerdict(row({ verdict: 'unknown', moreRuns: null })),
    '❔ unknown (more runs unlikely to decide)',
  );
  // Unknown because of the host, not for want of runs: the cell says which.
  assert.equal(
    fmtVerdict(row({ verdict: 'unknown', moreRuns: null, note: 'improved by the statistics, but other processes on the host used 5 % → 90 % of a core: the contention difference could explain it' })),
    '❔ unknown (host contention differed — see the warning)',
  );
  assert.equal(
    fmtVerdict(row({ verdict: 'unknown', moreRuns: null, note: 'regressed by the statistics, but the host was saturated during run x' })),
    '❔ unknown (host saturated — see the warning)',
  );
  assert.equal(fmtVerdict(row({ verdict: 'regressed' }), false), 'regressed');
  assert.equal(fmtVerdict(row({ before: null, after: null, verdict: 'unknown' })), '– not measured');
});

test('Markdown and terminal tables: one line per metric, labels escaped', () => {
  const rows = [
    row({}),
    row({
      name: 'throughput_rps',
      label: 'Throughput <b>|x',
      unit: 'req/s',
      betterWhen: 'higher',
      before: 100,
      after: 190,
      changePct: 90,
      ci: [80, 100],
    }),
  ];
  const md = comparisonMarkdown(rows);
  const lines = md.split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[0], '| Metric | Before | After | Change | 95% CI | p | Verdict |');
  assert.equal(lines[2], '| p95 latency | 120ms | 60ms | −50.0% | −55.2 … −44.9% | <0.001 | ✅ improved |');
  assert.match(lines[3], /^\| Throughput &lt;b&gt;\\\|x \|/);
  const text = comparisonText(rows, { confidence: 0.9 });
  assert.match(text.split('\n')[0], /^metric\s+before\s+after\s+change\s+90% CI\s+p\s+verdict$/);
  assert.equal(text.split('\n').length, 3);
});
