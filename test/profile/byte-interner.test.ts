/**
 * ByteInterner (profile/import/byte-lines.ts) hashes and compares four bytes at a time: equal byte strings get
 * one id and different ones different ids, whatever their length (tails of 1–3 bytes), offset in the buffer or
 * buffer (a reused chunk, a line joined across chunks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteInterner } from '../../src/profile/import/byte-lines.js';

test('interner: one id per distinct byte string, at any offset, length and buffer', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.uint8Array({ maxLength: 13 }), fc.nat({ max: 7 })), {
        minLength: 1,
        maxLength: 60,
      }),
      (items) => {
        const interner = new ByteInterner();
        const byText = new Map<string, number>();
        for (const [bytes, pad] of items) {
          // The same bytes placed after `pad` other bytes, in a buffer of its own.
          const buf = new Uint8Array(pad + bytes.length + 3).fill(0xaa);
          buf.set(bytes, pad);
          const id = interner.id(buf, pad, pad + bytes.length);
          const key = Buffer.from(bytes).toString('hex');
          const seen = byText.get(key);
          if (seen === undefined) {
            assert.ok(![...byText.values()].includes(id), `new bytes ${key} got an existing id ${id}`);
            byText.set(key, id);
          } else assert.equal(id, seen, `bytes ${key}`);
        }
        assert.equal(interner.count, byText.size);
      },
    ),
    { seed: 3, numRuns: 400 },
  );
});

test('interner: text of an id is its bytes, also after the tables and arena grow', () => {
  const interner = new ByteInterner();
  const names = Array.from({ length: 5000 }, (_, i) => `fn_${i.toString(36)}${'x'.repeat(i % 40)}`);
  const ids = names.map((n) => {
    const b = Buffer.from(`;${n};`);
    return interner.id(b, 1, b.length - 1);
  });
  names.forEach((n, i) => assert.equal(interner.text(ids[i]), n));
  const again = Buffer.from(names[1234]);
  assert.equal(interner.id(again, 0, again.length), ids[1234]);
});
