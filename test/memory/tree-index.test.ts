import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/load/url-template.js';
import { childLists, indexTree, isProperAncestor, NOT_IN_TREE } from '../../src/memory/graph/tree-index.js';

/** A random forest over n nodes: node 0 the root, some nodes detached (-1), parents always of lower index. */
function randomParents(n: number, seed: number): Int32Array {
  const rnd = seededRandom(seed);
  const parent = new Int32Array(n).fill(-1);
  for (let i = 1; i < n; i++) parent[i] = rnd() < 0.05 ? -1 : Math.floor(rnd() * i);
  return parent;
}

function naiveAncestors(parent: Int32Array, b: number): number[] {
  const out: number[] = [];
  for (let cur = parent[b]; cur >= 0; cur = parent[cur]) out.push(cur);
  return out;
}

test('tree index: ancestor tests and depths equal a walk up the parents, detached subtrees marked as outside', () => {
  for (const seed of [1, 2, 3]) {
    const parent = randomParents(400, seed);
    const { first, list } = childLists(parent, 0);
    const t = indexTree(first, list, parent, 0, { depth: true });
    for (let b = 0; b < parent.length; b++) {
      const up = naiveAncestors(parent, b);
      const inTree = b === 0 || up[up.length - 1] === 0;
      assert.equal(t.enter[b] !== NOT_IN_TREE, inTree, `node ${b} in tree`);
      if (!inTree) continue;
      assert.equal(t.depth![b], up.length, `depth of ${b}`);
      const anc = new Set(up);
      for (let a = 0; a < parent.length; a++) assert.equal(isProperAncestor(t, a, b), anc.has(a), `${a} ancestor of ${b}`);
    }
  }
});

test('tree index: a chain a million deep is indexed without recursion', () => {
  const n = 1_000_000;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i - 1;
  const { first, list } = childLists(parent, 0);
  const t = indexTree(first, list, parent, 0, { depth: true });
  assert.equal(t.reached, n);
  assert.equal(t.depth![n - 1], n - 1);
  assert.ok(isProperAncestor(t, 0, n - 1));
  assert.ok(!isProperAncestor(t, n - 1, 0));
});
