/**
 * RequestCpuClock's duty cycle (the agent's): only requests that begin inside a window are timed, a timed request
 * keeps its time complete after the window closes, and one still running when the hooks pause is reported lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestCpuClock } from '../../src/agent/request-cpu.js';

test('duty cycle: requests begun in the window are timed and complete; those after it are not', async () => {
  const clock = new RequestCpuClock();
  clock.enable(1, { periodMs: 60_000, onMs: 20, maxAgeMs: 60_000 });
  try {
    const inWindow = { cpuMs: 0, seq: 1 };
    assert.equal(clock.admit(inWindow), true, 'the first window opens with enable');
    await sleep(60); // the window closed; the hooks stay on for the request still in flight
    const late = { cpuMs: 0, seq: 2 };
    assert.equal(clock.admit(late), false, 'begun outside any window: not timed');
    clock.enter(inWindow);
    clock.exit();
    assert.equal(clock.release(inWindow), true, 'timed throughout');
    assert.equal(clock.release(late), false);
  } finally {
    clock.disable();
  }
});

test('duty cycle: a timed request still running when the clock stops is not reported complete', () => {
  const clock = new RequestCpuClock();
  clock.enable(1, { periodMs: 60_000, onMs: 20, maxAgeMs: 60_000 });
  const account = { cpuMs: 0, seq: 1 };
  assert.equal(clock.admit(account), true);
  clock.disable();
  assert.equal(clock.release(account), false);
});
