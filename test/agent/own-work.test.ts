import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from 'node:inspector/promises';
import { RuntimeSampler } from '../../src/agent/runtime-sampler.js';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** After a reset the monitor needs one tick of its own before it can time the next gap. */
const settle = () => tick(30);

async function fullGc(): Promise<void> {
  const s = new Session();
  s.connect();
  await s.post('HeapProfiler.collectGarbage');
  s.disconnect();
}

test('the agent’s own blocking work is not the service’s event-loop delay; the service’s is', async () => {
  const sampler = new RuntimeSampler();
  sampler.start();
  try {
    await tick(50);
    sampler.take();
    await settle();
    await sampler.ownWork(async () => busy(300)); // e.g. writing a heap snapshot
    await tick(60);
    const own = sampler.take().eventLoopDelay;
    assert.ok(own.max < 150, `own work left out: max ${own.max} ms`);

    await settle();
    busy(300); // the service blocking its loop
    await tick(60);
    const service = sampler.take().eventLoopDelay;
    assert.ok(service.max >= 200, `the service's block is measured: max ${service.max} ms`);

    // A block before own work in the same interval is kept.
    await settle();
    busy(300);
    await tick(30);
    await sampler.ownWork(async () => busy(100));
    await tick(60);
    const both = sampler.take().eventLoopDelay;
    assert.ok(both.max >= 200, `the earlier block stays in the interval: max ${both.max} ms`);
  } finally {
    sampler.stop();
  }
});

test('GCs the agent forces are not counted as the service’s GC pauses', async () => {
  const sampler = new RuntimeSampler();
  sampler.start();
  try {
    await tick(20);
    sampler.take();
    await sampler.ownWork(fullGc);
    await tick(50); // GC entries are delivered asynchronously
    assert.equal(sampler.take().gc.count, 0, 'forced by the agent');
    await fullGc();
    await tick(50);
    assert.ok(sampler.take().gc.count >= 1, 'the same GC outside own work counts');
  } finally {
    sampler.stop();
  }
});
