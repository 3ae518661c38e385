/**
 * core/recycled-memory.ts: a released buffer comes back as a zero-filled array (whatever was left in it), only to
 * a taker of about its size; small arrays are always fresh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { release, takeFloat64 } from '../../src/core/recycled-memory.js';

test('recycled memory: a released buffer is reused, zero-filled, by a taker of about its size', () => {
  const dirty = new Int32Array(1 << 20).fill(-1); // 4 MB of non-zero bytes
  release(dirty.buffer);
  const a = takeFloat64(300_000); // 2.4 MB: fits, and the buffer is under 4× its size
  assert.equal(a.buffer, dirty.buffer);
  assert.equal(a.length, 300_000);
  assert.ok(a.every((x) => x === 0));
  assert.notEqual(takeFloat64(300_000).buffer, dirty.buffer, 'handed out once');
});

test('recycled memory: no reuse for small arrays, nor for a buffer far bigger than asked', () => {
  const big = new ArrayBuffer(64 << 20);
  release(big);
  assert.notEqual(takeFloat64(1000).buffer, big);
  assert.notEqual(takeFloat64(200_000).buffer, big); // 1.6 MB from 64 MB: would keep 64 MB alive
  assert.equal(takeFloat64(3_000_000).buffer, big); // 24 MB
});
