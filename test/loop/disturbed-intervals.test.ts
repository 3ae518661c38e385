import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/gate/compare/compare-runs.js';
import { markDisturbed } from '../../src/loop/disturbed-intervals.js';
import { recordFromLatencies, steadyLatencies } from '../gate/records.js';

test('a pause marks the seconds it overlaps and the one after it', () => {
  const intervals = Array.from({ length: 8 }, (_, t) => ({ t, count: 10, errors: 0, histogram: '' }));
  const start = 1_000_000;
  const marked = markDisturbed(intervals, [{ start: start + 2500, end: start + 3200 }], start);
  assert.deepEqual(
    marked.filter((i) => i.disturbed).map((i) => i.t),
    [2, 3, 4],
  );
  // pauses before or after the load touch nothing
  const outside = markDisturbed(
    intervals,
    [
      { start: start - 800, end: start - 20 }, // the first snapshot, just before the load
      { start: start + 9000, end: start + 9500 }, // the last, after it
    ],
    start,
  );
  assert.ok(outside.every((i) => !i.disturbed));
});

test('seconds a heap snapshot disturbed are left out of the verdict', () => {
  const before = recordFromLatencies(steadyLatencies(20, 40, 100, 1));
  // The same service, but three seconds stalled behind a snapshot: 400 ms instead of 40.
  const seconds = steadyLatencies(20, 40, 100, 2);
  for (const t of [9, 10, 11]) seconds[t] = seconds[t].map((ms) => ms * 10);
  const stalled = recordFromLatencies(seconds);
  const p95 = (after: typeof stalled) => compareRuns(before, after).find((r) => r.name === 'p95_latency_ms')!;
  const counted = p95(stalled);
  assert.ok(counted.verdict !== 'same' && counted.changePct! > 100, 'counted, the stall swamps the p95');
  const marked = {
    ...stalled,
    intervals: stalled.intervals.map((i) => ([9, 10, 11].includes(i.t) ? { ...i, disturbed: true } : i)),
  };
  assert.equal(p95(marked).verdict, 'same', 'left out, the service is what it was');
  assert.ok(Math.abs(p95(marked).changePct!) < 5);
});
