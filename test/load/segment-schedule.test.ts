import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Segment } from '../../src/load/executors/segment.js';
import { constantSchedule, rampingSchedule } from '../../src/load/executors/arrival-schedule.js';
import { vusAt } from '../../src/load/executors/ramping-vus.js';

test('segments: i/n parsing, shares that add up exactly, ownership that partitions', () => {
  assert.deepEqual(Segment.parse('2/4').toJSON(), { residue: 1, modulus: 4 });
  for (const bad of ['0/4', '5/4', '1/0', 'x', '1/2/3']) assert.throws(() => Segment.parse(bad), /--segment/);
  for (const n of [1, 2, 3, 4, 7]) {
    const segs = Array.from({ length: n }, (_, i) => new Segment(i, n));
    for (const total of [0, 1, 2, 3, 10, 99, 1000]) {
      assert.equal(
        segs.reduce((a, s) => a + s.share(total), 0),
        total,
        `shares of ${total} over ${n}`,
      );
    }
    for (let k = 0; k < 100; k++) assert.equal(segs.filter((s) => s.owns(k)).length, 1);
  }
  // Splitting a segment across workers keeps ownership consistent with sibling segments in other processes.
  const half = Segment.parse('1/2');
  const workers = [half.split(0, 3), half.split(1, 3), half.split(2, 3)];
  for (let k = 0; k < 60; k++)
    assert.equal(
      workers.some((w) => w.owns(k)),
      half.owns(k),
    );
  assert.equal(
    workers.reduce((a, w) => a + w.share(1001), 0),
    half.share(1001),
  );
});

test('constant arrivals are evenly spaced (no burst per second) and counted exactly', () => {
  const s = constantSchedule(100 / 1000, 2000);
  assert.equal(s.at(0), 0);
  assert.equal(s.at(1), 10);
  assert.equal(s.at(150), 1500);
  assert.equal(s.countBefore(2000), 200);
  assert.equal(s.countBefore(1005), 101);
  // 4 segments of 200 arrivals: 50 each, interleaved in time
  const segs = [0, 1, 2, 3].map((i) => new Segment(i, 4));
  assert.deepEqual(
    segs.map((g) => g.share(s.countBefore(2000))),
    [50, 50, 50, 50],
  );
});

test('ramping arrivals follow the integral of the rate', () => {
  // 0 → 100/s over 2 s (100 arrivals), then 100/s for 1 s (100 more)
  const s = rampingSchedule(0, [
    { durationMs: 2000, target: 0.1 },
    { durationMs: 1000, target: 0.1 },
  ]);
  assert.equal(s.durationMs, 3000);
  assert.equal(s.countBefore(2000), 100);
  assert.equal(s.countBefore(3000), 200);
  // k arrivals by t where t²·rate'/2 = k: the 25th at 1 s
  assert.ok(Math.abs(s.at(25) - 1000) < 1e-6, String(s.at(25)));
  assert.ok(Math.abs(s.at(150) - 2500) < 1e-6, String(s.at(150)));
  for (let k = 1; k < 200; k++) assert.ok(s.at(k) > s.at(k - 1), `monotone at ${k}`);
  assert.ok(s.at(200) >= 3000);
  // ramp down: 100/s → 0 over 2 s gives 100 arrivals, spaced wider and wider
  const down = rampingSchedule(0.1, [{ durationMs: 2000, target: 0 }]);
  assert.equal(down.countBefore(2000), 100);
  assert.ok(down.at(99) - down.at(98) > down.at(1) - down.at(0));
});

test('ramping VUs interpolate linearly between stages', () => {
  const stages = [
    { durationMs: 1000, target: 10 },
    { durationMs: 1000, target: 10 },
    { durationMs: 500, target: 0 },
  ];
  assert.equal(vusAt(0, stages, 0), 0);
  assert.equal(vusAt(0, stages, 500), 5);
  assert.equal(vusAt(0, stages, 1500), 10);
  assert.equal(vusAt(0, stages, 2250), 5);
  assert.equal(vusAt(0, stages, 5000), 0);
  assert.equal(vusAt(4, [{ durationMs: 1000, target: 8 }], 500), 6);
});
