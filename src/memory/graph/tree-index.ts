/**
 * Pre-/post-order numbers (and optionally depths) of a tree given by parent pointers, so that "is a an
 * ancestor of b" is two comparisons and "how deep is n" one read — instead of walking up a chain per
 * question, which is quadratic on the million-long chains a linked list, a promise chain or an LRU list make
 * in a heap. Memory: 12 bytes a node (16 with depths) kept, 8 transient for the child lists; no stack (the
 * walk climbs back through the parent pointers).
 */
export interface TreeIndex {
  /** Pre-order number of each node; NOT_IN_TREE for nodes the walk from the root never reached. */
  enter: Uint32Array;
  /** One past the largest pre-order number in n's subtree: descendants d have enter[n] < enter[d] < exit[n]. */
  exit: Uint32Array;
  /** Edges from the root (0 for the root and for nodes outside the tree), when asked for. */
  depth?: Uint32Array;
  /** Node at each pre-order position (positions 0..reached-1). */
  order: Uint32Array;
  reached: number;
}

export const NOT_IN_TREE = 0xffffffff;

/** Where the arrays come from: new ones by default, or working arrays handed on (their contents are overwritten). */
export type Alloc = (length: number) => Uint32Array;
const fresh: Alloc = (length) => new Uint32Array(length);

type Parents = Int32Array | Uint32Array;

/** Child lists (CSR: node n's children are list[first[n]..first[n+1]), in ascending order) from a parent array (-1 or self = none). O(n). */
export function childLists(parent: Parents, root: number, alloc: Alloc = fresh): { first: Uint32Array; list: Uint32Array } {
  const n = parent.length;
  const first = alloc(n + 1).subarray(0, n + 1).fill(0);
  const isChild = (i: number) => i !== root && parent[i] >= 0 && parent[i] !== i;
  for (let i = 0; i < n; i++) if (isChild(i)) first[parent[i] + 1]++;
  for (let i = 0; i < n; i++) first[i + 1] += first[i];
  const total = first[n];
  const list = alloc(total).subarray(0, total);
  // Backwards from each parent's end (see indexRetainers): ascending order, no copy of `first`.
  for (let i = n - 1; i >= 0; i--) if (isChild(i)) list[--first[parent[i] + 1]] = i;
  first.copyWithin(0, 1);
  first[n] = total;
  return { first, list };
}

/**
 * One iterative depth-first walk from the root (trees here are millions deep): O(n). `parent` must be the
 * array the child lists were built from. While a node is open, its `exit` slot holds its next child's position
 * in `list`; when it closes, its exit number.
 */
export function indexTree(first: Uint32Array, list: Uint32Array, parent: Parents, root: number, options: { depth?: boolean; alloc?: Alloc } = {}): TreeIndex {
  const n = first.length - 1;
  const alloc = options.alloc ?? fresh;
  const enter = alloc(n).subarray(0, n).fill(NOT_IN_TREE);
  const exit = alloc(n).subarray(0, n).fill(0);
  const order = alloc(n).subarray(0, n);
  const depth = options.depth ? alloc(n).subarray(0, n).fill(0) : undefined;
  let clock = 0;
  let v = root;
  order[clock] = root;
  enter[root] = clock++;
  exit[root] = first[root];
  for (;;) {
    const next = exit[v];
    if (next < first[v + 1]) {
      exit[v] = next + 1;
      const c = list[next];
      if (enter[c] !== NOT_IN_TREE) continue;
      order[clock] = c;
      enter[c] = clock++;
      if (depth) depth[c] = depth[v] + 1;
      exit[c] = first[c];
      v = c;
      continue;
    }
    exit[v] = clock;
    if (v === root) break;
    v = parent[v];
  }
  return { enter, exit, depth, order, reached: clock };
}

/** True when a is a proper ancestor of b in the indexed tree. O(1). */
export function isProperAncestor(t: TreeIndex, a: number, b: number): boolean {
  const eb = t.enter[b];
  return eb !== NOT_IN_TREE && t.enter[a] < eb && eb < t.exit[a];
}
