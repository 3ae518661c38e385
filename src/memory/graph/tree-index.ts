/**
 * Pre-/post-order numbers and depths of a tree given as child lists, so that "is a an ancestor of b" is two
 * comparisons and "how deep is n" one read — instead of walking up a chain per question, which is quadratic
 * on the million-long chains a linked list, a promise chain or an LRU list make in a heap.
 */
export interface TreeIndex {
  /** Pre-order number of each node; NOT_IN_TREE for nodes the walk from the root never reached. */
  enter: Uint32Array;
  /** One past the largest pre-order number in n's subtree: descendants d have enter[n] < enter[d] < exit[n]. */
  exit: Uint32Array;
  /** Edges from the root (0 for the root and for nodes outside the tree). */
  depth: Uint32Array;
  /** Node at each pre-order position (positions 0..reached-1). */
  order: Uint32Array;
  reached: number;
}

export const NOT_IN_TREE = 0xffffffff;

/** Child lists (CSR: node n's children are list[first[n]..first[n+1])) from a parent array (-1 = none). O(n). */
export function childLists(parent: Int32Array | Uint32Array, root: number): { first: Uint32Array; list: Uint32Array } {
  const n = parent.length;
  const first = new Uint32Array(n + 1);
  const isChild = (i: number) => i !== root && parent[i] >= 0 && parent[i] !== i;
  for (let i = 0; i < n; i++) if (isChild(i)) first[parent[i] + 1]++;
  for (let i = 0; i < n; i++) first[i + 1] += first[i];
  const fill = first.slice(0, n);
  const list = new Uint32Array(first[n]);
  for (let i = 0; i < n; i++) if (isChild(i)) list[fill[parent[i]]++] = i;
  return { first, list };
}

/** One iterative depth-first walk from the root (trees here are millions deep): O(n). */
export function indexTree(first: Uint32Array, list: Uint32Array, root: number): TreeIndex {
  const n = first.length - 1;
  const enter = new Uint32Array(n).fill(NOT_IN_TREE);
  const exit = new Uint32Array(n);
  const depth = new Uint32Array(n);
  const order = new Uint32Array(n);
  const stack = new Uint32Array(n);
  const next = new Uint32Array(n);
  let clock = 0;
  let top = 0;
  stack[top++] = root;
  next[root] = first[root];
  order[clock] = root;
  enter[root] = clock++;
  while (top > 0) {
    const v = stack[top - 1];
    if (next[v] < first[v + 1]) {
      const c = list[next[v]++];
      if (enter[c] !== NOT_IN_TREE) continue;
      next[c] = first[c];
      depth[c] = depth[v] + 1;
      order[clock] = c;
      enter[c] = clock++;
      stack[top++] = c;
      continue;
    }
    exit[v] = clock;
    top--;
  }
  return { enter, exit, depth, order, reached: clock };
}

/** True when a is a proper ancestor of b in the indexed tree. O(1). */
export function isProperAncestor(t: TreeIndex, a: number, b: number): boolean {
  const eb = t.enter[b];
  return eb !== NOT_IN_TREE && t.enter[a] < eb && eb < t.exit[a];
}
