import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache } from '../../demo/lru-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1); // a is now the youngest
    cache.set('c', 3);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
  });

  it('overwrites without growing', () => {
    const cache = new LruCache<number, string>(3);
    for (let i = 0; i < 10; i++) cache.set(1, String(i));
    assert.equal(cache.size, 1);
    assert.equal(cache.get(1), '9');
  });

  it('rejects a capacity below 1', () => {
    assert.throws(() => new LruCache(0), RangeError);
  });
});
