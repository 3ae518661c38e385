/**
 * Trace Event Format duration events: what one instant's events mean (speedscope's ordering rules) and what an
 * end event that matches nothing does — checked on small traces written here, so it runs without the corpus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Profile } from '../../src/core/profile.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { bufferSource, importProfileSource } from '../../src/profile/import/index.js';

const ev = (ph: string, name: string, ts: number, extra: Record<string, unknown> = {}) => ({
  pid: 1,
  tid: 1,
  ph,
  name,
  ts,
  ...extra,
});
const load = (events: unknown[]) =>
  importProfileSource(bufferSource('t.json', JSON.stringify(events)), { format: 'trace-event' });
const selfOf = (p: Profile) => {
  const w = frameWeights(p);
  return Object.fromEntries(p.frames.map((f, i) => [f.name, w.self[i]]).filter(([, v]) => (v as number) > 0));
};

test('an end event naming a frame that is not innermost is ignored, with a warning', async () => {
  // alpha opens, beta opens inside it, then "E alpha" arrives while beta is innermost.
  const p = await load([ev('B', 'alpha', 0), ev('B', 'beta', 1), ev('E', 'alpha', 9), ev('E', 'beta', 10)]);
  assert.deepEqual(selfOf(p), { alpha: 1, beta: 9 });
  assert.ok(p.meta.warnings?.some((w) => /1 end event\(s\) not matching the innermost open frame/.test(w)));
});

test('one instant: ends of open frames first, a zero-length call opens before it closes, X longest first', async () => {
  const p = await load([
    ev('B', 'A', 0),
    ev('E', 'A', 2),
    ev('X', 'B', 2, { dur: 3 }), // starts as A ends: A must close first, not nest B
    ev('X', 'Z', 6, { dur: 0 }), // zero-length: opens and closes at 6, no weight
    ev('X', 'inner', 10, { dur: 1 }),
    ev('X', 'outer', 10, { dur: 4 }), // same start, longer: the enclosing one
  ]);
  assert.deepEqual(selfOf(p), { A: 2, B: 3, outer: 3, inner: 1 });
  const w = frameWeights(p);
  const outer = p.frames.findIndex((f) => f.name === 'outer');
  assert.equal(w.total[outer], 4, 'inner nests in outer');
  assert.equal(p.meta.warnings, undefined, 'every end event matched');
});

test('ends of one instant in any file order close the innermost frame first (by frame, then by name)', async () => {
  const p = await load([
    ev('X', 'alpha', 0, { dur: 10 }),
    ev('B', 'beta', 1),
    ev('B', 'gamma', 1),
    ev('E', 'beta', 2),
    ev('E', 'gamma', 2),
  ]);
  assert.deepEqual(selfOf(p), { alpha: 9, gamma: 1 }); // taken in file order, E beta would match nothing and beta stay open
  assert.equal(p.meta.warnings, undefined);
});
