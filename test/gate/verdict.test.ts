import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideVerdict, NEAR_END_FRACTION } from '../../src/gate/stats/index.js';

const base = { higherIsBetter: false, minEffectPct: 5, alpha: 0.01 };

test('a change is called only when significant, big enough, and the interval clears the near-end margin', () => {
  assert.equal(decideVerdict({ ...base, changePct: 12, ci: [8, 16], pValue: 0.001 }).verdict, 'regressed');
  assert.equal(decideVerdict({ ...base, changePct: -12, ci: [-16, -8], pValue: 0.001 }).verdict, 'improved');
  assert.equal(
    decideVerdict({ ...base, higherIsBetter: true, changePct: -12, ci: [-16, -8], pValue: 0.001 }).verdict,
    'regressed',
  );
  // not significant
  assert.equal(decideVerdict({ ...base, changePct: 12, ci: [8, 16], pValue: 0.02 }).verdict, 'unknown');
  // significant but below the minimum effect, interval within it: same
  assert.equal(decideVerdict({ ...base, changePct: 2, ci: [1, 3], pValue: 0.0001 }).verdict, 'same');
  // estimate over 5 % but the interval reaches below the margin: unknown, not regressed
  const near = 5 * NEAR_END_FRACTION - 0.5;
  assert.equal(decideVerdict({ ...base, changePct: 6, ci: [near, 9], pValue: 0.001 }).verdict, 'unknown');
});

test('unknown says how much more data would decide; more data is needed the closer to the threshold', () => {
  const wide = decideVerdict({ ...base, changePct: 1, ci: [-8, 10], pValue: 0.5 });
  assert.equal(wide.verdict, 'unknown');
  assert.ok(wide.dataFactor! > 1, `${wide.dataFactor}`);
  const wider = decideVerdict({ ...base, changePct: 1, ci: [-16, 18], pValue: 0.5 });
  assert.ok(wider.dataFactor! > wide.dataFactor!);
  // a change sitting on the minimum effect: no reasonable amount of data decides
  const onTheLine = decideVerdict({ ...base, changePct: 4.99, ci: [-1, 11], pValue: 0.3 });
  assert.equal(onTheLine.verdict, 'unknown');
  assert.equal(onTheLine.dataFactor, null);
  // a big change that is not yet significant needs more data for the p-value too
  const notYet = decideVerdict({ ...base, changePct: -15, ci: [-25, -5], pValue: 0.05 });
  assert.equal(notYet.verdict, 'unknown');
  assert.ok(notYet.dataFactor! > 1.25);
});
