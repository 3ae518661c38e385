import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonScanner, type MemberMode } from '../../src/profile/import/json-stream.js';

/** Feeds `text` in chunks of `size` bytes and records what the scanner hands out. */
function scan(text: string, modes: Record<string, MemberMode>, size: number) {
  const got = {
    values: {} as Record<string, unknown>,
    elements: [] as unknown[],
    numbers: {} as Record<string, number[]>,
  };
  const s = new JsonScanner(
    {
      mode: (k) => modes[k] ?? 'skip',
      value: (k, v) => (got.values[k] = v),
      element: (_k, v) => got.elements.push(v),
      number: (k, n) => (got.numbers[k] ??= []).push(n),
    },
    'test.json',
  );
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) s.push(buf.subarray(i, i + size));
  s.end();
  return got;
}

const DOC = JSON.stringify({
  skipped: { deep: [1, { a: '}]"\\' }] },
  nodes: [
    { id: 1, callFrame: { functionName: 'a "quoted" }{ name', url: 'file:///ü.js' } },
    { id: 2, children: [] },
    7,
    'str',
    null,
  ],
  samples: [1, 22, 333, -4, 0],
  timeDeltas: [0.5, -1.25e2, 1e3, 9007199254740992],
  startTime: 123,
  'k\\"ey': true,
});

test('members are read as asked, whatever the chunk boundaries (down to one byte)', () => {
  for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
    const got = scan(
      DOC,
      { nodes: 'elements', samples: 'numbers', timeDeltas: 'numbers', startTime: 'value', 'k\\"ey': 'value' },
      size,
    );
    assert.deepEqual(got.elements, JSON.parse(DOC).nodes, `chunk ${size}`);
    assert.deepEqual(got.numbers.samples, [1, 22, 333, -4, 0]);
    assert.deepEqual(got.numbers.timeDeltas, [0.5, -125, 1000, 9007199254740992]);
    assert.equal(got.values.startTime, 123);
    assert.equal(got.values['k\\"ey'], true);
    assert.equal(got.values.skipped, undefined);
  }
});

test('a top-level array is member "[]"', () => {
  const got = scan(' [ {"ph":"X"} , {"ph":"P","args":{"x":[1,2]}} ] ', { '[]': 'elements' }, 5);
  assert.deepEqual(got.elements, [{ ph: 'X' }, { ph: 'P', args: { x: [1, 2] } }]);
});

test('broken JSON: the byte offset where it breaks', () => {
  assert.throws(
    () => scan('{"nodes":[{"id":1},{"id":2}', { nodes: 'elements' }, 4),
    /test\.json: invalid JSON at byte 27: unexpected end of input \(the file is truncated\)/,
  );
  assert.throws(
    () => scan('{"samples":[1,2,x]}', { samples: 'numbers' }, 3),
    /invalid JSON at byte 16: expected a number, got "x"/,
  );
  assert.throws(
    () => scan('{"nodes":[{"id":1,}]}', { nodes: 'elements' }, 100),
    /invalid JSON at byte 10: in the value starting here/,
  );
  assert.throws(() => scan('hello', {}, 100), /invalid JSON at byte 0: expected "\{" or "\["/);
  assert.throws(() => scan('{"a":1} x', {}, 100), /invalid JSON at byte 8: unexpected data after the end/);
  assert.throws(() => scan('', {}, 100), /the input is empty/);
});
