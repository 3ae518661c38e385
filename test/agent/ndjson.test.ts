import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NdjsonSplitter, toLine } from '../../src/agent/ndjson.js';

describe('NdjsonSplitter', () => {
  it('reassembles messages split across chunks, including multi-byte characters', () => {
    const got: unknown[] = [];
    const splitter = new NdjsonSplitter((m) => got.push(m));
    const bytes = Buffer.from(toLine({ a: 'é→x' }) + toLine({ b: 2 }) + '\n' + toLine([3]));
    for (let i = 0; i < bytes.length; i += 3) splitter.push(bytes.subarray(i, i + 3));
    assert.deepEqual(got, [{ a: 'é→x' }, { b: 2 }, [3]]);
  });

  it('skips malformed and oversized lines without losing the next message', () => {
    const got: unknown[] = [];
    const splitter = new NdjsonSplitter((m) => got.push(m), 10);
    splitter.push(Buffer.from('{nope\n'));
    splitter.push(Buffer.from('"' + 'x'.repeat(30)));
    splitter.push(Buffer.from('y'.repeat(30) + '"\n{"ok":1}\n'));
    assert.deepEqual(got, [{ ok: 1 }]);
    assert.equal(splitter.malformed, 1);
    assert.equal(splitter.oversized, 1);
  });
});
