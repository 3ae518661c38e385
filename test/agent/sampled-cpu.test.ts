/**
 * The join of long request intervals to CPU profile samples (agent/sampled-cpu.ts), on a profile laid out by
 * hand in the .cpuprofile's own fields (startTime, timeDeltas in µs): what each kind of stretch is charged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runningPeriodMs, sampledCpuCorrections, type LongIntervals } from '../../src/agent/sampled-cpu.js';

function intervals(list: [seq: number, startMs: number, endMs: number][]): LongIntervals {
  return {
    samplingMs: 1,
    seq: Int32Array.from(list.map((x) => x[0])),
    start: Float64Array.from(list.map((x) => x[1])),
    end: Float64Array.from(list.map((x) => x[2])),
    count: list.length,
  };
}

test('running period: the median of the regular gaps, not of the gaps across descheduled stretches', () => {
  assert.equal(runningPeriodMs([1100, 1100, 1100, 2200, 2200, 2200, 2200], 1), 1.1);
  assert.equal(runningPeriodMs([], 1), 1, 'no samples: the requested interval');
});

test('a stretch that ran through keeps its wall time; one that waited is charged its samples; one outside the profile stays', () => {
  // Profile from t = 1000 ms (µs clock; offset 0): 0–20 ms a sample every 1 ms (running); 20–40 ms a sample every
  // 2 ms after a 1 ms run each (waiting half the time: each sample after a gap); then regular again to 60 ms.
  const deltas: number[] = [];
  for (let t = 1; t <= 20; t++) deltas.push(1000);
  for (let t = 22; t <= 40; t += 2) deltas.push(2000);
  for (let t = 41; t <= 60; t++) deltas.push(1000);
  const profile = { startTime: 1_000_000, endTime: 1_061_000, timeDeltas: deltas };
  const c = sampledCpuCorrections(
    intervals([
      [1, 1000.5, 1019.5], // running: 19 regular samples ≈ 19 ms of 19 ms wall
      [2, 1020.5, 1040.5], // waited: 10 samples after gaps, half a period each → 5 ms of 20 ms wall
      [3, 990, 1005], // began before the profile: no correction
    ]),
    profile,
    0,
    1,
  );
  assert.equal(c.get(1), undefined, `running stretch corrected by ${c.get(1)}`);
  assert.ok(Math.abs(c.get(2)! - (5 - 20)) < 1e-9, `waited stretch corrected by ${c.get(2)}`);
  assert.equal(c.get(3), undefined);
});
