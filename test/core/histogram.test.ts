import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram } from '../../src/core/histogram.js';

/** Within HdrHistogram's 3-significant-digit precision (0.1 %), plus one µs for rounding. */
const near = (actual: number, expected: number, msg?: string) =>
  assert.ok(Math.abs(actual - expected) <= expected * 0.001 + 1, `${msg ?? ''} ${actual} ≉ ${expected}`);

test('percentiles of a uniform 1..10000 µs distribution', () => {
  const h = new Histogram();
  for (let v = 1; v <= 10_000; v++) h.record(v);
  assert.equal(h.count, 10_000);
  near(h.percentile(50), 5000, 'p50');
  near(h.percentile(95), 9500, 'p95');
  near(h.percentile(99), 9900, 'p99');
  assert.equal(h.minUs, 1);
  near(h.maxUs, 10_000, 'max');
  near(h.meanUs, 5000.5, 'mean');
});

test('summaryMs reports milliseconds', () => {
  const h = new Histogram();
  for (let i = 0; i < 100; i++) h.recordMs(20);
  const s = h.summaryMs();
  assert.equal(s.count, 100);
  near(s.p50 * 1000, 20_000);
  near(s.p99 * 1000, 20_000);
});

test('merge of two histograms equals one histogram of all values', () => {
  const a = new Histogram();
  const b = new Histogram();
  const all = new Histogram();
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 50_000; i++) {
    const v = Math.floor(rnd() * rnd() * 2_000_000) + 1;
    (i % 3 === 0 ? a : b).record(v);
    all.record(v);
  }
  const merged = a.clone().merge(b);
  assert.equal(merged.count, all.count);
  for (const p of [1, 10, 50, 90, 95, 99, 99.9, 100]) assert.equal(merged.percentile(p), all.percentile(p), `p${p}`);
  assert.equal(merged.maxUs, all.maxUs);
  assert.equal(merged.minUs, all.minUs);
});

test('encode → decode round trip keeps every count', () => {
  const h = new Histogram();
  for (let v = 100; v < 200_000; v += 37) h.record(v);
  h.recordCount(3_000_000, 5);
  const encoded = h.encode();
  assert.match(encoded, /^[A-Za-z0-9+/]+=*$/);
  const back = Histogram.decode(encoded);
  assert.equal(back.count, h.count);
  for (const p of [0, 25, 50, 75, 99, 100]) assert.equal(back.percentile(p), h.percentile(p));
  // the decoded histogram merges like any other
  assert.equal(back.merge(h).count, 2 * h.count);
});

test('recordCorrected fills in the requests a stalled closed loop did not send', () => {
  const h = new Histogram();
  // expected one request every 10 ms; one took 1 s: HdrHistogram adds 990, 980, … 10 ms.
  h.recordCorrected(1_000_000, 10_000);
  assert.equal(h.count, 100);
  near(h.percentile(50), 500_000);
  const plain = new Histogram();
  plain.record(1_000_000);
  assert.equal(plain.count, 1);
});

test('empty histogram reports zeros, values are clamped to the trackable range', () => {
  const h = new Histogram();
  assert.equal(h.percentile(99), 0);
  assert.equal(h.summaryMs().max, 0);
  h.record(0.2);
  h.record(1e12);
  assert.equal(h.minUs, 1);
  assert.ok(h.maxUs >= 3_599_000_000);
});
