/**
 * Ruby stackprof JSON: raw samples (height, frame ids root first, count) into stacks, weighed per mode — wall by
 * the recorded deltas, cpu by count × interval, object by count — GC under the stack sampled before it, and a
 * profile without raw samples read flat with a warning. Written here in stackprof's own shape (the corpus files
 * are checked against speedscope in bench/conformance-profiles.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerfloopError } from '../../src/core/errors.js';
import type { Profile } from '../../src/core/profile.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { bufferSource, detectImporter, importProfileSource } from '../../src/profile/import/index.js';

const FRAMES = {
  '70001': { name: '<main>', file: '/app/simple.rb', line: 1 },
  '70002': { name: 'Object#handle', file: '/app/simple.rb', line: 5 },
  '70003': { name: 'Object#render', file: '/app/simple.rb', line: 9 },
  '313': { name: '(garbage collection)', file: '' },
};
// <main>;handle;render ×3, <main>;handle ×1, then one GC sample.
const RAW = [3, 70001, 70002, 70003, 3, 2, 70001, 70002, 1, 1, 313, 2];
const doc = (extra: Record<string, unknown>) =>
  bufferSource(
    'app.json',
    JSON.stringify({ version: 1.2, interval: 1000, frames: FRAMES, raw: RAW, ...extra }),
  );

function selfByName(p: Profile): Record<string, number> {
  const w = frameWeights(p);
  return Object.fromEntries(p.frames.map((f, i) => [f.name, w.self[i]]));
}

test('stackprof wall mode: stacks from raw, weights from the timestamp deltas, GC under the last stack', async () => {
  const src = doc({ mode: 'wall', raw_timestamp_deltas: [900, 1100, 1000, 1200, 500, 700] });
  assert.equal((await detectImporter(src)).format, 'stackprof');
  const p = await importProfileSource(src);
  assert.equal(p.unit, 'us');
  assert.deepEqual(selfByName(p), {
    '<main>': 0,
    'Object#handle': 1200,
    'Object#render': 3000,
    '(garbage collection)': 1200,
  });
  const gc = p.frames.findIndex((f) => f.name === '(garbage collection)');
  assert.equal(p.frames[gc].kind, 'gc');
  const gcNode = p.nodeFrame.indexOf(gc);
  assert.deepEqual(
    p.stackOf(gcNode).map((f) => p.frames[f].name),
    ['<main>', 'Object#handle', '(garbage collection)'],
  );
  assert.equal(p.frames.find((f) => f.name === 'Object#render')?.file, '/app/simple.rb');
});

test('stackprof cpu mode weighs count × interval; object mode counts allocations', async () => {
  const cpu = selfByName(await importProfileSource(doc({ mode: 'cpu' })));
  assert.equal(cpu['Object#render'], 3000);
  assert.equal(cpu['(garbage collection)'], 2000);
  const objects = await importProfileSource(doc({ mode: 'object', interval: 1 }));
  assert.equal(objects.unit, 'count');
  assert.equal(objects.totalWeight, 6);
});

test('stackprof without raw samples is read flat, with a warning; a cut raw list fails with one line', async () => {
  const frames = {
    '1': { name: 'Object#hot', file: '/a.rb', line: 2, samples: 40 },
    '2': { name: 'x', samples: 0 },
  };
  const p = await importProfileSource(
    bufferSource('flat.json', JSON.stringify({ mode: 'cpu', interval: 1000, frames })),
    { format: 'stackprof' },
  );
  assert.equal(p.totalWeight, 40_000);
  assert.ok(p.meta.warnings?.some((w) => /without raw: true/.test(w)));
  await assert.rejects(importProfileSource(doc({ mode: 'cpu', raw: [3, 70001, 70002] })), (e: unknown) => {
    assert.ok(e instanceof PerfloopError && e.exitCode === 2);
    assert.match(e.message, /stackprof: raw\[0\]: stack height 3 runs past the end/);
    return true;
  });
});
