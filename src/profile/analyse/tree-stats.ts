import type { Profile } from '../../core/profile.js';

/**
 * Per-node facts the stack-shape rules need, in O(nodes) without recursion (stacks can be 10,000 deep):
 * depth, how many times the node's own frame occurs on its path (1 = the topmost occurrence), and the
 * deepest repetition of any frame on the path.
 */
export interface TreeStats {
  depth: Int32Array;
  /** Occurrences of nodeFrame[n] on the path root..n, n included. */
  repeat: Int32Array;
  /** Largest `repeat` of any node on the path root..n. */
  maxRepeatOnPath: Int32Array;
  /** The node on the path root..n where that largest repetition is reached (its frame is the recursive one). */
  maxRepeatNode: Int32Array;
}

/** Children in compressed rows: children of n are childList[childStart[n] .. childStart[n+1]). */
export function childIndex(p: Profile): { childStart: Int32Array; childList: Int32Array } {
  const nodes = p.nodeCount;
  const childStart = new Int32Array(nodes + 1);
  for (let n = 0; n < nodes; n++) if (p.nodeParent[n] >= 0) childStart[p.nodeParent[n] + 1]++;
  for (let n = 0; n < nodes; n++) childStart[n + 1] += childStart[n];
  const childList = new Int32Array(Math.max(0, childStart[nodes]));
  const fill = childStart.slice(0, nodes);
  for (let n = 0; n < nodes; n++) if (p.nodeParent[n] >= 0) childList[fill[p.nodeParent[n]]++] = n;
  return { childStart, childList };
}

const cache = new WeakMap<Profile, TreeStats>();

/** Computed once per profile (several rules ask). */
export function treeStats(p: Profile): TreeStats {
  let s = cache.get(p);
  if (!s) cache.set(p, (s = computeTreeStats(p)));
  return s;
}

function computeTreeStats(p: Profile): TreeStats {
  const nodes = p.nodeCount;
  const depth = new Int32Array(nodes);
  const repeat = new Int32Array(nodes);
  const maxRepeatOnPath = new Int32Array(nodes);
  const maxRepeatNode = new Int32Array(nodes);
  const { childStart, childList } = childIndex(p);
  const onPath = new Int32Array(p.frames.length);
  // A typed-array stack (every node enters once and leaves once: 2 × nodes bounds it), not a JS array that
  // grows and boxes on millions of nodes.
  const stack = new Int32Array(2 * nodes + 1);
  let sp = 0;
  for (let n = 0; n < nodes; n++) if (p.nodeParent[n] < 0) stack[sp++] = n;
  while (sp > 0) {
    const e = stack[--sp];
    if (e < 0) {
      onPath[p.nodeFrame[~e]]--;
      continue;
    }
    const parent = p.nodeParent[e];
    const f = p.nodeFrame[e];
    onPath[f]++;
    depth[e] = parent < 0 ? 1 : depth[parent] + 1;
    repeat[e] = onPath[f];
    if (parent >= 0 && maxRepeatOnPath[parent] >= repeat[e]) {
      maxRepeatOnPath[e] = maxRepeatOnPath[parent];
      maxRepeatNode[e] = maxRepeatNode[parent];
    } else {
      maxRepeatOnPath[e] = repeat[e];
      maxRepeatNode[e] = e;
    }
    stack[sp++] = ~e;
    for (let c = childStart[e]; c < childStart[e + 1]; c++) stack[sp++] = childList[c];
  }
  return { depth, repeat, maxRepeatOnPath, maxRepeatNode };
}

/** The nearest node at or above `n` whose frame satisfies `test`, or -1. */
export function nearestAbove(p: Profile, n: number, test: (frame: number) => boolean): number {
  for (let a = n; a >= 0; a = p.nodeParent[a]) if (test(p.nodeFrame[a])) return a;
  return -1;
}

export const pctOf = (x: number, of: number) => (of > 0 ? Math.round((10000 * x) / of) / 100 : 0);
