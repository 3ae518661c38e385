import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram } from '../../src/core/histogram.js';
import type { IntervalRecord } from '../../src/core/run.js';
import { latencyDrift, preset, recoveryTime } from '../../src/load/presets.js';
import { statusLine, statusPrinter } from '../../src/load/live-status.js';
import type { LoadProgress } from '../../src/load/engine.js';

/** Intervals whose every request took `ms[t]` milliseconds (0: no responses that second). */
function intervals(ms: number[]): IntervalRecord[] {
  return ms.map((v, t) => {
    const h = new Histogram();
    if (v > 0) for (let i = 0; i < 20; i++) h.recordMs(v);
    return { t, count: v > 0 ? 20 : 0, errors: 0, histogram: h.encode() };
  });
}

test('recovery time: seconds after the spike until p95 stays back near the baseline', () => {
  //               baseline ……  spike ………………  after the spike (ends at t=6)
  const iv = intervals([10, 10, 10, 10, 80, 90, 70, 40, 0, 11, 10, 10, 10]);
  assert.equal(recoveryTime(iv, 10, 6), 3, 'the slow second and the empty one do not count');
  assert.equal(recoveryTime(intervals([10, 90, 90, 90]), 10, 2), null);
  assert.equal(recoveryTime(intervals([10, 90, 10, 10]), 10, 2), 0, 'the last seconds of the run are enough');
});

test('latency drift compares the first and the last tenth of the run', () => {
  const flat = intervals(Array.from({ length: 40 }, () => 20));
  assert.equal(latencyDrift(flat), 0);
  const growing = intervals(Array.from({ length: 40 }, (_, t) => 20 + t));
  assert.ok(latencyDrift(growing)! > 100);
  assert.equal(latencyDrift(intervals([20, 20])), null, 'too short');
});

test('presets follow the method table and scale their durations', () => {
  assert.deepEqual(preset('baseline').options, {
    vus: 10,
    duration: 300_000,
    thresholds: { http_req_duration: ['p(95)<200'] },
  });
  assert.equal(preset('normal', 0.1).options.duration, 60_000);
  assert.deepEqual(preset('peak').options.thresholds, {
    http_req_duration: ['p(95)<500'],
    http_req_failed: ['rate<0.05'],
  });
  const spike = preset('spike').options.stages!;
  assert.equal(
    spike.reduce((a, s) => a + Number(s.duration), 0),
    180_000,
    '3 minutes',
  );
  assert.deepEqual([...new Set(spike.map((s) => s.target))], [10, 100]);
  assert.equal(preset('endurance', 0.01).options.duration, 36_000);
  assert.throws(() => preset('stress'), /expected one of baseline, normal, peak, spike, endurance/);
  assert.throws(() => preset('peak', 0), /--scale/);
});

test('live status: one line with stage, time, VUs, rate, p95, errors and thresholds; every 10 s when not a TTY', () => {
  const p: LoadProgress = {
    elapsedMs: 12_000,
    plannedMs: 30_000,
    vus: 25,
    requests: 1000,
    rps: 95,
    errors: 2,
    stage: 'ramping 10→50',
    p95Ms: 12.5,
    thresholds: { ok: 1, failed: 1 },
  };
  assert.equal(
    statusLine(p),
    '12/30s  ramping 10→50  25 VUs  95 req/s  p95 12.5ms  1000 reqs  2 errors  thresholds ✓1 ✗1',
  );
  const out: string[] = [];
  const printer = statusPrinter((s) => void out.push(s), false);
  for (const t of [1000, 2000, 9000, 10_000, 11_000, 20_500]) printer.update({ ...p, elapsedMs: t });
  assert.equal(out.length, 2);
  const tty: string[] = [];
  const live = statusPrinter((s) => void tty.push(s), true);
  live.update(p);
  live.clear();
  assert.deepEqual(
    tty.map((s) => s.startsWith('\r\x1b[2K')),
    [true, true],
  );
});
