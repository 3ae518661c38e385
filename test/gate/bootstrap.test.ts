import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram } from '../../src/core/histogram.js';
import {
  BinnedUnits,
  compareLatency,
  compareMean,
  compareRatio,
  distributionFromHistogram,
  distributionFromValues,
  groupsOf,
  mergeDistributions,
  quantile,
  resampleWeights,
  seededRandom,
} from '../../src/gate/stats/index.js';

test('a distribution decoded from an HdrHistogram gives the histogram’s own percentiles', () => {
  const h = new Histogram();
  const random = seededRandom(3);
  for (let i = 0; i < 5000; i++) h.recordMs(5 + 40 * random() ** 3);
  const d = distributionFromHistogram(h.encode());
  assert.equal(d.total, 5000);
  for (const p of [1, 50, 90, 95, 99, 99.9, 100])
    assert.equal(quantile(d, p), h.percentile(p) / 1000, `p${p}`);
});

test('binned units: percentiles of weighted merges within the 0.2 % bin width of the exact ones', () => {
  const random = seededRandom(11);
  const dists = Array.from({ length: 12 }, (_, u) =>
    distributionFromValues(
      Array.from({ length: 300 }, () => Math.round((10 + u + 30 * random() ** 2) * 1000) / 1000),
    ),
  );
  const b = new BinnedUnits(dists);
  const w = new Float64Array(dists.length);
  for (let trial = 0; trial < 20; trial++) {
    resampleWeights([dists.map((_, i) => i)], random, w);
    const merged = mergeDistributions(dists.flatMap((d, i) => Array.from({ length: w[i] }, () => d)));
    const got = b.quantiles(w, [50, 95, 99]);
    [50, 95, 99].forEach((p, k) => {
      const exact = quantile(merged, p);
      assert.ok(Math.abs(got[k] - exact) / exact <= 0.0021, `p${p}: ${got[k]} vs ${exact}`);
    });
  }
});

test('resampling: one group draws n units; several groups draw runs, then units within them', () => {
  const random = seededRandom(5);
  const w = new Float64Array(10);
  resampleWeights([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], random, w);
  assert.equal(
    w.reduce((a, b) => a + b),
    10,
  );
  const groups = groupsOf([0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
  assert.deepEqual(groups, [
    [0, 1, 2],
    [3, 4, 5, 6],
    [7, 8, 9],
  ]);
  let sawWholeRunMissing = false;
  for (let i = 0; i < 50; i++) {
    resampleWeights(groups, random, w);
    // a run not drawn contributes nothing: run-to-run variation widens the interval
    if (groups.some((g) => g.every((u) => w[u] === 0))) sawWholeRunMissing = true;
  }
  assert.ok(sawWholeRunMissing);
});

test('seeded: the same data and seed give the same interval; another seed a slightly different one', () => {
  const random = seededRandom(9);
  const side = (shift: number) => ({
    dists: Array.from({ length: 20 }, () =>
      distributionFromValues(Array.from({ length: 100 }, () => 20 * shift * (1 + random()))),
    ),
    groups: new Array(20).fill(0),
  });
  const a = side(1);
  const b = side(1.3);
  const spec = { higherIsBetter: false, minAbsolute: 0.05 };
  const o = { minEffectPct: 5, alpha: 0.01, confidence: 0.95, resamples: 500, seed: 1 };
  const r1 = compareLatency(a, b, [50], [spec], o)[0];
  const r2 = compareLatency(a, b, [50], [spec], o)[0];
  assert.deepEqual(r1, r2);
  const r3 = compareLatency(a, b, [50], [spec], { ...o, seed: 2 })[0];
  assert.notDeepEqual(r1.ci, r3.ci);
  assert.equal(r1.verdict, 'regressed');
  assert.ok(r1.ci![0] > 20 && r1.ci![1] < 40, `ci ${r1.ci}`);
});

test('ratio and mean metrics: error rate from 0, and throughput with higher = better', () => {
  const o = { minEffectPct: 5, alpha: 0.01, confidence: 0.95, resamples: 500, seed: 1 };
  const zeros = { num: new Array(20).fill(0), den: new Array(20).fill(100), groups: new Array(20).fill(0) };
  const failing = {
    num: Array.from({ length: 20 }, (_, i) => 5 + (i % 3)),
    den: new Array(20).fill(100),
    groups: new Array(20).fill(0),
  };
  const spec = { higherIsBetter: false, minAbsolute: 0.001 };
  const same = compareRatio(zeros, zeros, spec, o);
  assert.equal(same.verdict, 'same');
  assert.equal(same.changePct, 0);
  const worse = compareRatio(zeros, failing, spec, o);
  assert.equal(worse.verdict, 'regressed');
  assert.equal(worse.changePct, null, 'no percentage of a zero baseline');
  assert.ok(Math.abs(worse.after! - 0.0595) < 1e-9);
  const up = compareMean(
    { values: Array.from({ length: 20 }, (_, i) => 100 + (i % 5)), groups: new Array(20).fill(0) },
    { values: Array.from({ length: 20 }, (_, i) => 150 + (i % 5)), groups: new Array(20).fill(0) },
    { higherIsBetter: true, minAbsolute: 0.5 },
    o,
  );
  assert.equal(up.verdict, 'improved');
  assert.ok(Math.abs(up.changePct! - 50 / 1.02) < 0.01);
});
