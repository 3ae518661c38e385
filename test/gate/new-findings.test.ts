import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding.js';
import { evaluateGate } from '../../src/gate/gate.js';
import { recordFromLatencies, steadyLatencies } from './records.js';

const leak: Finding = {
  rule: 'memory.growth',
  area: 'memory',
  severity: 'high',
  title: 'live V8 heap grows 20 MB/min',
  evidence: {},
  recommendation: 'bound the cache',
  estimatedImpact: { pct: 20, basis: 'test' },
};

test('the gate fails on a leak the baseline did not have, even when latency is the same', () => {
  const base = recordFromLatencies(steadyLatencies(20, 20, 100, 1));
  const same = recordFromLatencies(steadyLatencies(20, 20, 100, 2));
  const leaking = { ...same, findings: [leak] };
  const ok = evaluateGate({ runs: [same], source: 'candidate' }, { runs: [base], source: 'baseline' });
  assert.equal(ok.pass, true, ok.failures.join('; '));
  assert.deepEqual(ok.newFindings, []);
  const bad = evaluateGate({ runs: [leaking], source: 'candidate' }, { runs: [base], source: 'baseline' });
  assert.equal(bad.pass, false);
  assert.deepEqual(bad.newFindings.map((f) => f.rule), ['memory.growth']);
  assert.ok(bad.failures.some((f) => f.startsWith('new finding memory.growth')));
  // a leak the baseline already had is not new: that is the budget's business, not the regression test's
  const bothLeak = evaluateGate({ runs: [leaking], source: 'candidate' }, { runs: [{ ...base, findings: [leak] }], source: 'baseline' });
  assert.deepEqual(bothLeak.newFindings, []);
});
