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

const orders = new WeakMap<Profile, Int32Array | null>();

/**
 * The nodes in a depth-first order (a parent before its subtree), or null when the node ids already are one —
 * as they are when an importer adds stacks that each extend a path of the one before (folded files, most trees).
 * The walks over root-to-node paths (walkPaths) go in this order with a stack of the current path, so they need
 * neither a child index nor a stack of every node: on 1.5 million nodes those arrays cost more page faults
 * than the walk itself. Computed once per profile.
 */
export function preorder(p: Profile): Int32Array | null {
  let o = orders.get(p);
  if (o === undefined) orders.set(p, (o = computePreorder(p)));
  return o;
}

function computePreorder(p: Profile): Int32Array | null {
  const nodes = p.nodeCount;
  const parentOf = p.nodeParent;
  // Ids are a depth-first order when every node's parent is on the path to the node before it.
  const path = new Int32Array(nodes + 1); // only the pages the deepest path reaches are touched
  let sp = 0;
  let inOrder = true;
  for (let n = 0; n < nodes && inOrder; n++) {
    const parent = parentOf[n];
    while (sp > 0 && path[sp - 1] !== parent) sp--;
    if (parent >= 0 && sp === 0) inOrder = false;
    path[sp++] = n;
  }
  if (inOrder) return null;
  const { childStart, childList } = childIndex(p);
  const order = new Int32Array(nodes);
  const stack = new Int32Array(nodes + 1);
  let k = 0;
  sp = 0;
  for (let n = nodes - 1; n >= 0; n--) if (parentOf[n] < 0) stack[sp++] = n;
  while (sp > 0) {
    const n = stack[--sp];
    order[k++] = n;
    for (let c = childStart[n + 1] - 1; c >= childStart[n]; c--) stack[sp++] = childList[c];
  }
  return order;
}

const cache = new WeakMap<Profile, TreeStats>();

/** Computed once per profile (several rules ask). */
export function treeStats(p: Profile): TreeStats {
  let s = cache.get(p);
  if (!s) cache.set(p, (s = p.knownRepeats ? fromRepeats(p, p.knownRepeats) : computeTreeStats(p)));
  return s;
}

/**
 * Per node, the occurrences of its frame on its path (1: the topmost). Without the other stats when the importer
 * recorded them: each of those is a fresh array per node, and a fresh page costs more than the loop that fills it
 * (on the benchmark machine ~5 ms per MB; a 1.5-million-node tree's three are 18 MB).
 */
export function nodeRepeats(p: Profile): Int32Array {
  return p.knownRepeats ?? treeStats(p).repeat;
}

const maxRepeats = new WeakMap<Profile, number>();

/** The largest `repeat` of any node: how deep the deepest recursion goes (1: none). */
export function maxRepeat(p: Profile): number {
  let m = maxRepeats.get(p);
  if (m === undefined) {
    const repeat = nodeRepeats(p);
    m = 0;
    for (let n = 0; n < repeat.length; n++) if (repeat[n] > m) m = repeat[n];
    maxRepeats.set(p, m);
  }
  return m;
}

/**
 * With each node's repeat known (recorded by the importer), the rest follows from the parent in node order — a
 * builder makes a parent before its children — so no depth-first walk is needed.
 */
function fromRepeats(p: Profile, repeat: Int32Array): TreeStats {
  const nodes = p.nodeCount;
  const nodeParent = p.nodeParent;
  const depth = new Int32Array(nodes);
  const maxRepeatOnPath = new Int32Array(nodes);
  const maxRepeatNode = new Int32Array(nodes);
  for (let n = 0; n < nodes; n++) {
    const parent = nodeParent[n];
    const r = repeat[n];
    if (parent < 0) {
      depth[n] = 1;
      maxRepeatOnPath[n] = r;
      maxRepeatNode[n] = n;
      continue;
    }
    depth[n] = depth[parent] + 1;
    if (maxRepeatOnPath[parent] >= r) {
      maxRepeatOnPath[n] = maxRepeatOnPath[parent];
      maxRepeatNode[n] = maxRepeatNode[parent];
    } else {
      maxRepeatOnPath[n] = r;
      maxRepeatNode[n] = n;
    }
  }
  return { depth, repeat, maxRepeatOnPath, maxRepeatNode };
}

function computeTreeStats(p: Profile): TreeStats {
  const nodes = p.nodeCount;
  const depth = new Int32Array(nodes);
  const repeat = new Int32Array(nodes);
  const maxRepeatOnPath = new Int32Array(nodes);
  const maxRepeatNode = new Int32Array(nodes);
  const nodeFrame = p.nodeFrame;
  const nodeParent = p.nodeParent;
  const order = preorder(p);
  const onPath = new Int32Array(p.frames.length);
  // The current root-to-node path; leaving a node (popping it) takes its frame off the path counts.
  const path = new Int32Array(nodes + 1);
  let sp = 0;
  for (let k = 0; k < nodes; k++) {
    const e = order === null ? k : order[k];
    const parent = nodeParent[e];
    while (sp > 0 && path[sp - 1] !== parent) onPath[nodeFrame[path[--sp]]]--;
    const f = nodeFrame[e];
    const r = ++onPath[f];
    depth[e] = sp + 1;
    repeat[e] = r;
    if (parent >= 0 && maxRepeatOnPath[parent] >= r) {
      maxRepeatOnPath[e] = maxRepeatOnPath[parent];
      maxRepeatNode[e] = maxRepeatNode[parent];
    } else {
      maxRepeatOnPath[e] = r;
      maxRepeatNode[e] = e;
    }
    path[sp++] = e;
  }
  return { depth, repeat, maxRepeatOnPath, maxRepeatNode };
}

/** The nearest node at or above `n` whose frame satisfies `test`, or -1. */
export function nearestAbove(p: Profile, n: number, test: (frame: number) => boolean): number {
  for (let a = n; a >= 0; a = p.nodeParent[a]) if (test(p.nodeFrame[a])) return a;
  return -1;
}

export const pctOf = (x: number, of: number) => (of > 0 ? Math.round((10000 * x) / of) / 100 : 0);
