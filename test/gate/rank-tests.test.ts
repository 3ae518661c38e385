import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  kolmogorovSmirnov,
  mannWhitney,
  normalCdf,
  normalQuantile,
  rankTests,
} from '../../src/gate/stats/index.js';

// Reference values from SciPy 1.17 (stats.mannwhitneyu, stats.ks_2samp).
const x = [
  10.7, 11.6, 10.7, 7.4, 11.8, 10.9, 8.9, 11.2, 10.7, 10.6, 10.1, 11.1, 8.5, 9.7, 9.0, 11.2, 10.1, 9.4, 8.4,
  9.5, 10.0, 9.4, 12.6, 12.0, 4.6, 6.2, 9.7, 9.2, 10.4, 10.4, 14.2, 7.8, 9.2, 14.1, 11.3, 11.3, 9.0, 6.7,
  10.3, 10.2,
];
const y = [
  8.5, 9.6, 10.9, 9.1, 10.8, 11.2, 11.1, 10.0, 12.2, 12.8, 11.6, 9.4, 12.5, 10.0, 12.8, 8.9, 12.8, 11.0, 8.5,
  10.4, 11.1, 11.5, 9.0, 8.8, 11.4, 10.1, 11.5, 12.5, 7.7, 11.5, 13.4, 10.4, 9.4, 12.5, 11.5,
];

test('Mann-Whitney U: exact p for small samples without ties, as SciPy', () => {
  const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(r.method, 'exact');
  assert.equal(r.u, 0);
  assert.ok(Math.abs(r.pValue - 0.007936507936507936) < 1e-12);
  const s = mannWhitney([3.1, 2.4, 5.6, 1.2, 7.7, 3.3, 4.4, 2.2], [6.1, 5.5, 8.2, 7.1, 4.9, 9.0, 6.6]);
  assert.equal(s.u, 7);
  assert.ok(Math.abs(s.pValue - 0.013986013986013986) < 1e-12);
  // symmetric in the order of the samples
  assert.ok(
    Math.abs(
      mannWhitney([6.1, 5.5, 8.2, 7.1, 4.9, 9.0, 6.6], [3.1, 2.4, 5.6, 1.2, 7.7, 3.3, 4.4, 2.2]).pValue -
        s.pValue,
    ) < 1e-12,
  );
});

test('Mann-Whitney U: normal approximation with ties and continuity correction, as SciPy', () => {
  const r = mannWhitney(x, y);
  assert.equal(r.method, 'normal');
  assert.equal(r.u, 528.5);
  assert.ok(Math.abs(r.pValue - 0.06922768123792249) < 1e-5, `p ${r.pValue}`);
  assert.equal(mannWhitney([5, 5, 5], [5, 5, 5]).pValue, 1);
  assert.equal(mannWhitney([], [1]).pValue, 1);
});

test('Kolmogorov-Smirnov: D and a p-value close to the exact one', () => {
  const r = kolmogorovSmirnov(x, y);
  assert.ok(Math.abs(r.d - 0.2714285714285714) < 1e-12);
  // SciPy exact 0.1038; Stephens' corrected asymptotic lands within 0.01 of it.
  assert.ok(Math.abs(r.pValue - 0.10379755654202379) < 0.01, `p ${r.pValue}`);
  assert.equal(kolmogorovSmirnov([1, 2, 3], [1, 2, 3]).d, 0);
  assert.equal(kolmogorovSmirnov([1, 2, 3], [1, 2, 3]).pValue, 1);
  // a shape change with the same median: KS sees it, Mann-Whitney barely does
  const narrow = Array.from({ length: 60 }, (_, i) => 100 + ((i % 10) - 4.5));
  const wide = Array.from({ length: 60 }, (_, i) => 100 + ((i % 10) - 4.5) * 8);
  assert.ok(kolmogorovSmirnov(narrow, wide).pValue < 0.001);
  assert.ok(mannWhitney(narrow, wide).pValue > 0.5);
});

test('combined p: the smaller of the two, doubled, capped at 1', () => {
  const r = rankTests(x, y);
  assert.ok(Math.abs(r.pValue - 2 * Math.min(r.mannWhitney.pValue, r.ks.pValue)) < 1e-15);
  assert.equal(rankTests([1, 2, 3], [1, 2, 3]).pValue, 1);
});

test('normal distribution helpers', () => {
  assert.ok(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-7);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.090232306167813) < 1e-8);
  assert.equal(normalQuantile(0), -Infinity);
});
