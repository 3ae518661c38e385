import { test } from 'node:test';
import assert from 'node:assert/strict';
import { levellingOff } from '../../src/memory/rules/unbounded-collection.js';

test('a collection that reached its bound is levelling off; steady or accelerating growth is not', () => {
  assert.equal(levellingOff([54, 426, 500]), true); // an LRU capped at 500 filling up
  assert.equal(levellingOff([100, 400, 700]), false); // unbounded
  assert.equal(levellingOff([100, 200, 450]), false);
  assert.equal(levellingOff([100, 400]), false); // two snapshots cannot tell
});
