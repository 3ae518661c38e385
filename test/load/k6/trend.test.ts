import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricSet } from '../../../src/core/metric-set.js';
import type { TrendSink } from '../../../src/core/metric.js';
import { EXACT_LIMIT, SKETCH_ALPHA, TrendValues } from '../../../src/core/trend-values.js';

const of = (values: number[]) => {
  const t = new TrendValues();
  for (const v of values) t.add(v);
  return t;
};

test("k6's percentile definition: [1,2,3,4] → med 2.5, p(90) 3.7, p(95) 3.85", () => {
  const t = of([4, 1, 3, 2]);
  assert.equal(t.percentile(50), 2.5);
  assert.ok(Math.abs(t.percentile(90) - 3.7) < 1e-12);
  assert.ok(Math.abs(t.percentile(95) - 3.85) < 1e-12);
  assert.equal(t.percentile(0), 1);
  assert.equal(t.percentile(100), 4);
  assert.equal(t.mean, 2.5);
});

test('negative, zero, fractional and huge values are kept exactly', () => {
  const t = of([-5, 0, 0.25, 1e12]);
  assert.equal(t.min, -5);
  assert.equal(t.max, 1e12);
  assert.equal(t.percentile(0), -5);
  assert.equal(t.percentile(50), 0.125);
  assert.equal(t.sum, -5 + 0.25 + 1e12);
  const zero = of([0]);
  assert.equal(zero.min, 0);
  assert.equal(zero.percentile(95), 0);
  const threes = of([3, 3, 3, 3]);
  assert.equal(threes.mean, 3);
  assert.equal(threes.percentile(99), 3);
});

test('a custom trend in a MetricSet is exact, merges exactly across workers and survives JSON', () => {
  const a = new MetricSet();
  a.define('t', 'trend', 'default', true);
  const b = new MetricSet();
  b.define('t', 'trend', 'default', true);
  a.add('t', 1);
  a.add('t', 2);
  b.add('t', 3);
  b.add('t', 4);
  const merged = new MetricSet().merge(MetricSet.fromJSON(JSON.parse(JSON.stringify(a.toJSON()))));
  merged.merge(MetricSet.fromJSON(structuredClone(b.toJSON())));
  const t = merged.aggregate('t') as TrendSink;
  assert.equal(t.count, 4);
  assert.equal(t.percentile(50), 2.5);
  assert.ok(Math.abs(t.percentile(90) - 3.7) < 1e-12);
  assert.equal(t.min, 1);
  assert.equal(t.max, 4);
});

test('an HDR (latency) trend never reports a percentile or mean outside [min, max]', () => {
  const m = new MetricSet();
  m.define('lat', 'trend', 'time');
  for (const v of [3, 3, 3, 3]) m.add('lat', v);
  const t = m.aggregate('lat') as TrendSink;
  assert.ok(t.percentile(95) <= t.max && t.percentile(95) >= t.min);
  assert.ok(t.mean <= t.max && t.mean >= t.min);
});

test(`past ${EXACT_LIMIT} values the sketch keeps every percentile within ${SKETCH_ALPHA * 100}%`, () => {
  const t = new TrendValues();
  const n = EXACT_LIMIT + 50_000;
  // A spread over five orders of magnitude, both signs.
  const value = (i: number) => (i % 7 === 0 ? -1 : 1) * Math.exp((i % 1000) / 100);
  const all: number[] = [];
  for (let i = 0; i < n; i++) {
    t.add(value(i));
    all.push(value(i));
  }
  assert.equal(t.exact, false);
  all.sort((x, y) => x - y);
  for (const p of [1, 10, 50, 90, 95, 99]) {
    const truth = all[Math.round((p / 100) * (n - 1))];
    const got = t.percentile(p);
    assert.ok(Math.abs(got - truth) <= Math.abs(truth) * SKETCH_ALPHA * 2 + 1e-9, `p${p}: ${got} vs ${truth}`);
  }
  assert.equal(t.count, n);
  assert.equal(t.min, all[0]);
  assert.equal(t.max, all[n - 1]);
});
