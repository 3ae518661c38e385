import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord } from '../../src/core/run.js';
import { compareRuns } from '../../src/gate/compare/compare-runs.js';
import { endpointView } from '../../src/gate/compare/endpoint-view.js';
import { mixRun, recordFromLatencies, steadyLatencies } from './records.js';

test('a fix judged on its endpoint: improved there, same elsewhere, where the whole mix hides it', () => {
  const before = mixRun(45, 1);
  const after = mixRun(30, 2); // checkout 33 % faster, browse untouched
  const p95 = (b: RunRecord | null, a: RunRecord | null) =>
    compareRuns(b!, a!, { metrics: ['p95_latency_ms'] })[0];
  const checkout = p95(endpointView(before, 'checkout'), endpointView(after, 'checkout'));
  assert.equal(checkout.verdict, 'improved', JSON.stringify(checkout));
  assert.ok(checkout.changePct! < -25 && checkout.changePct! > -40, `${checkout.changePct}`);
  assert.equal(p95(endpointView(before, 'browse'), endpointView(after, 'browse')).verdict, 'same');
  const whole = p95(before, after);
  assert.ok(
    Math.abs(whole.changePct!) < Math.abs(checkout.changePct!) / 2,
    `the mix moves less: ${whole.changePct}`,
  );
  // Runs without per-endpoint intervals have no view.
  assert.equal(endpointView(recordFromLatencies(steadyLatencies(5, 40)), 'checkout'), null);
});
