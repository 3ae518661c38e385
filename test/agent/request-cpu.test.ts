/**
 * RequestCpuClock inside a real node:http server (this test's own process: node --test runs each file in its
 * own): main-thread time is charged to the request whose code runs, across awaits and timers, and not to a
 * request that is merely in flight while another one computes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { RequestTracker } from '../../src/agent/request-context.js';

function spin(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

test('CPU per request: charged across awaits and timers, not to requests only waiting; off when the clock is off', async () => {
  const tracker = new RequestTracker();
  tracker.install();
  const server = http.createServer(async (req, res) => {
    let busyMs = 0;
    if (req.url === '/heavy') {
      await nextTurn();
      let t0 = performance.now();
      spin(40);
      busyMs += performance.now() - t0;
      await new Promise((r) => setTimeout(r, 1));
      t0 = performance.now();
      spin(40); // a second chunk, in a timer callback of the same request
      busyMs += performance.now() - t0;
    }
    res.end(JSON.stringify({ busyMs }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const get = async (path: string) => (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as { busyMs: number };
  try {
    tracker.cpu.enable();
    const [heavy] = await Promise.all([get('/heavy'), get('/light'), get('/light')]);
    await get('/light'); // after the others: their 'finish' has been recorded
    const timed = tracker.drain();
    const h = timed.find((r) => r.url === '/heavy')!;
    const lights = timed.filter((r) => r.url === '/light');
    assert.equal(lights.length, 3);
    assert.ok(h.cpuMs! >= heavy.busyMs * 0.99, `heavy charged ${h.cpuMs} ms for ${heavy.busyMs} ms of work in two chunks`);
    assert.ok(h.cpuMs! <= h.durationMs, `charged ${h.cpuMs} ms within its ${h.durationMs} ms`);
    // A light request does no work of its own; on a busy host its callbacks can still be descheduled for some ms.
    for (const l of lights) assert.ok(l.cpuMs! < h.cpuMs! / 3, `light ${l.cpuMs} ms beside heavy ${h.cpuMs} ms`);

    tracker.cpu.disable();
    await get('/heavy');
    const [untimed] = tracker.drain();
    assert.equal(untimed.cpuMs, undefined, 'no CPU field when the clock was off');
  } finally {
    tracker.cpu.disable();
    server.close();
  }
});
