import type { Profile } from '../../core/profile.js';
import { takeFloat64 } from '../../core/recycled-memory.js';
import { nodeRepeats, preorder } from './tree-stats.js';

/** Self and total weight per frame, plus the per-node weights they come from. */
export interface FrameWeights {
  /** Weight where the frame is the leaf. */
  self: Float64Array;
  /** Weight of samples with the frame anywhere on the stack, recursion counted once per sample. */
  total: Float64Array;
  /** Sum of every sample. */
  all: number;
  /** Sum of samples whose leaf is not idle: the base of every percentage. */
  active: number;
  /** Per node: weight of samples ending at the node, and of its whole subtree. */
  nodeSelf: Float64Array;
  nodeTotal: Float64Array;
}

/**
 * Computes in O(samples + nodes), without recursion: node weights first, subtree totals by walking nodes
 * children-before-parents (the builder creates a parent before any child), then each node's subtree total is
 * credited to its frame only at the topmost occurrence of that frame on the path, so recursion counts once.
 * Per frame, that occurrence is the node whose treeStats `repeat` is 1 (the walk the rules need anyway); per
 * group of frames, a walk of the paths counts the group's occurrences.
 */
/** Profiles are immutable, so their per-frame weights are computed once (analysis, rules and views all ask). */
const cache = new WeakMap<Profile, FrameWeights>();

export function frameWeights(p: Profile, groupOf?: Int32Array, groups = p.frames.length): FrameWeights {
  // Groups of one frame each (no WebAssembly merged, the usual case) are the frames: the cached weights.
  if (groupOf && !isIdentity(groupOf, groups)) return computeWeights(p, groupOf, groups);
  let w = cache.get(p);
  if (!w) cache.set(p, (w = computeWeights(p, undefined, p.frames.length)));
  return w;
}

function isIdentity(groupOf: Int32Array, groups: number): boolean {
  if (groups !== groupOf.length) return false;
  for (let i = 0; i < groupOf.length; i++) if (groupOf[i] !== i) return false;
  return true;
}

function computeWeights(p: Profile, groupOf: Int32Array | undefined, groups: number): FrameWeights {
  // With `groupOf`, weights are per group of frames (e.g. all of one WebAssembly module) instead of per frame.
  const nodes = p.nodeCount;
  const nodeFrame = p.nodeFrame;
  const nodeParent = p.nodeParent;
  const idleFrame = new Uint8Array(p.frames.length);
  for (let f = 0; f < p.frames.length; f++) if (p.frames[f].kind === 'idle') idleFrame[f] = 1;
  const base = groupOf ? frameWeights(p) : undefined; // node weights do not depend on grouping
  let nodeSelf: Float64Array;
  let nodeTotal: Float64Array;
  const self = new Float64Array(groups);
  const total = new Float64Array(groups);
  let all = 0;
  let idle = 0;
  if (base) {
    nodeSelf = base.nodeSelf;
    nodeTotal = base.nodeTotal;
  } else {
    nodeSelf = takeFloat64(nodes);
    nodeTotal = takeFloat64(nodes);
    const sampleNode = p.sampleNode;
    const sampleWeight = p.sampleWeight;
    for (let i = 0; i < sampleNode.length; i++) nodeSelf[sampleNode[i]] += sampleWeight[i];
  }
  // One walk, children before parents (a child's id is above its parent's): subtree totals (unless grouped:
  // then they are the base's), self weights, and — per frame — the total at the topmost occurrence.
  const repeat = groupOf ? null : nodeRepeats(p);
  for (let n = nodes - 1; n >= 0; n--) {
    const f = nodeFrame[n];
    const x = nodeSelf[n];
    self[groupOf ? groupOf[f] : f] += x;
    all += x;
    if (idleFrame[f]) idle += x;
    if (base) continue;
    const t = (nodeTotal[n] += x);
    const parent = nodeParent[n];
    if (parent >= 0) nodeTotal[parent] += t;
    if (repeat !== null && repeat[n] === 1) total[f] += t;
  }
  if (groupOf) {
    // Topmost occurrence of each group: a walk of the paths in depth-first order with a per-group count.
    const order = preorder(p);
    const onPath = new Int32Array(groups);
    const path = new Int32Array(nodes + 1);
    let sp = 0;
    for (let k = 0; k < nodes; k++) {
      const e = order === null ? k : order[k];
      const parent = nodeParent[e];
      while (sp > 0 && path[sp - 1] !== parent) onPath[groupOf[nodeFrame[path[--sp]]]]--;
      const g = groupOf[nodeFrame[e]];
      if (onPath[g]++ === 0) total[g] += nodeTotal[e];
      path[sp++] = e;
    }
  }
  return { self, total, all, active: all - idle, nodeSelf, nodeTotal };
}
