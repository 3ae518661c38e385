import { test } from 'node:test';
import assert from 'node:assert/strict';
import { theilSen } from '../../src/memory/theil-sen.js';
import { findMemoryGrowth, memoryTrend, type MemoryPoint } from '../../src/memory/timeline.js';
import { seededRandom } from '../../src/load/url-template.js';

const MB = 1024 * 1024;

test('Theil–Sen recovers a slope through outliers, with an interval that contains it', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i);
  const ys = xs.map((x) => 3 * x + 10 + (x % 10 === 0 ? 500 : 0)); // every tenth point an outlier
  const e = theilSen(xs, ys)!;
  assert.equal(e.slope, 3);
  assert.ok(e.lo <= 3 && e.hi >= 3);
  assert.equal(theilSen([1, 2], [1, 2]), undefined);
});

/** 60 s of samples every 250 ms: a GC sawtooth around a base that grows `mbPerMin`. */
function series(mbPerMin: number, seed = 7): MemoryPoint[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: 240 }, (_, i) => {
    const t = i * 250;
    const saw = ((i % 12) / 12) * 8; // 0–8 MB of garbage between collections
    return { t, value: (50 + (mbPerMin * t) / 60_000 + saw + rnd()) * MB };
  });
}

test('memory.growth fires on a leak and projects the time to the limit', () => {
  const trend = memoryTrend(series(20))!;
  assert.ok(Math.abs(trend.mbPerMin - 20) < 2, `slope ${trend.mbPerMin}`);
  const [f] = findMemoryGrowth(trend, { series: 'heap used', limitMb: 512 });
  assert.equal(f.rule, 'memory.growth');
  assert.ok((f.evidence.minutesToLimit as number) > 15 && (f.evidence.minutesToLimit as number) < 30);
  assert.equal(f.severity, 'critical'); // reaches 512 MB within the hour
});

test('memory.growth stays quiet on a flat sawtooth', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const trend = memoryTrend(series(0, seed))!;
    assert.deepEqual(findMemoryGrowth(trend, { series: 'heap used' }), [], `seed ${seed}: ${trend.mbPerMin}`);
  }
});

test('memory.growth stays quiet when the heap grew and levelled off (a bounded cache filling up)', () => {
  // live heap after full GCs every 1.5 s: rises for the first 6 s, then flat at the cache's bound
  const values = [14, 18, 22, 26, 30, 30.1, 29.9, 30, 30.05];
  const points = values.map((mb, i) => ({ t: i * 1500, value: mb * MB }));
  const trend = memoryTrend(points, { minWarmupMs: 0, warmupFraction: 0 })!;
  assert.ok(trend.mbPerMin > 1, 'the whole window does rise');
  assert.deepEqual(findMemoryGrowth(trend, { series: 'live heap' }), []);
  // the same rise that keeps going is a leak
  const leak = values.map((_, i) => ({ t: i * 1500, value: (14 + 4 * i) * MB }));
  assert.equal(
    findMemoryGrowth(memoryTrend(leak, { minWarmupMs: 0, warmupFraction: 0 }), { series: 'live heap' })
      .length,
    1,
  );
});

test('memory.growth on a few noisy points: growth likely, rate unknown — low severity, "run longer"', () => {
  // Ten forced-GC readings over 13.5 s: noisy early, a steady rise late — growth, at a rate poorly known.
  const values = [40, 43, 39, 42, 40, 41, 42, 43, 44, 45];
  const points = values.map((mb, i) => ({ t: i * 1500, value: mb * MB }));
  const trend = memoryTrend(points, { minWarmupMs: 0, warmupFraction: 0 })!;
  assert.ok(trend.loMbPerMin > 0 && trend.loMbPerMin < trend.mbPerMin / 4, JSON.stringify(trend));
  const [f] = findMemoryGrowth(trend, { series: 'live heap', limitMb: 100 });
  assert.equal(f.severity, 'low', 'not critical, though the limit is near at the estimated rate');
  assert.match(f.title, /grew \+5 MB over 14 s \(40 → 45 MB\); not yet known whether it is bounded — run longer/);
  // The leak of the test above keeps its tight interval and its severity.
  const leak = memoryTrend(series(20))!;
  assert.equal(findMemoryGrowth(leak, { series: 'heap used', limitMb: 512 })[0].severity, 'critical');
});

test('memory.growth over a short window states the growth as measured and stays medium at most; floors hold', () => {
  // A clean, steady rise over 12 s: a leak, or a cache not yet at its bound — 12 s cannot tell.
  const leak = Array.from({ length: 9 }, (_, i) => ({ t: i * 1500, value: (14 + 4 * i) * MB }));
  const [f] = findMemoryGrowth(memoryTrend(leak, { minWarmupMs: 0, warmupFraction: 0 }), { series: 'live heap', limitMb: 60 });
  assert.equal(f.severity, 'medium');
  assert.match(f.title, /^live heap grew \+32 MB over 12 s \(14 → 46 MB\); not yet known whether it is bounded — run longer$/);
  assert.doesNotMatch(f.title, /MB\/min/, 'no rate extrapolated from 12 s');
  // The absolute floor: +1.6 MB is GC noise however steady.
  const tiny = Array.from({ length: 9 }, (_, i) => ({ t: i * 1500, value: (10 + 0.2 * i) * MB }));
  assert.deepEqual(findMemoryGrowth(memoryTrend(tiny, { minWarmupMs: 0, warmupFraction: 0 }), { series: 'live heap' }), []);
  // The same steady leak over 60 s is rated by its rate.
  const long = memoryTrend(series(20))!;
  assert.match(findMemoryGrowth(long, { series: 'heap used' })[0].title, /grows \d+(\.\d+)? MB\/min/);
});
