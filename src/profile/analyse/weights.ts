import type { Profile } from '../../core/profile.js';

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
 */
/** Profiles are immutable, so their per-frame weights are computed once (analysis, rules and views all ask). */
const cache = new WeakMap<Profile, FrameWeights>();

export function frameWeights(p: Profile, groupOf?: Int32Array, groups = p.frames.length): FrameWeights {
  if (groupOf) return computeWeights(p, groupOf, groups);
  let w = cache.get(p);
  if (!w) cache.set(p, (w = computeWeights(p, undefined, groups)));
  return w;
}

function computeWeights(p: Profile, groupOf: Int32Array | undefined, groups: number): FrameWeights {
  // With `groupOf`, weights are per group of frames (e.g. all of one WebAssembly module) instead of per frame.
  const nodes = p.nodeCount;
  // Frame (or group) of each node, resolved once, in a plain loop (Int32Array.from with a mapping function is
  // several times slower on millions of nodes); the walk below visits every node twice.
  let nodeKey = p.nodeFrame;
  if (groupOf) {
    nodeKey = new Int32Array(nodes);
    for (let n = 0; n < nodes; n++) nodeKey[n] = groupOf[p.nodeFrame[n]];
  }
  const idleFrame = new Uint8Array(p.frames.length);
  for (let f = 0; f < p.frames.length; f++) if (p.frames[f].kind === 'idle') idleFrame[f] = 1;
  const nodeSelf = new Float64Array(nodes);
  for (let i = 0; i < p.sampleCount; i++) nodeSelf[p.sampleNode[i]] += p.sampleWeight[i];
  const nodeTotal = Float64Array.from(nodeSelf);
  for (let n = nodes - 1; n >= 0; n--) {
    const parent = p.nodeParent[n];
    if (parent >= 0) nodeTotal[parent] += nodeTotal[n];
  }
  const self = new Float64Array(groups);
  const total = new Float64Array(groups);
  let all = 0;
  let idle = 0;
  for (let n = 0; n < nodes; n++) {
    self[nodeKey[n]] += nodeSelf[n];
    all += nodeSelf[n];
    if (idleFrame[p.nodeFrame[n]]) idle += nodeSelf[n];
  }
  // Topmost-occurrence test: depth-first over the tree with a per-frame count of occurrences on the path.
  const childStart = new Int32Array(nodes + 1);
  for (let n = 0; n < nodes; n++) if (p.nodeParent[n] >= 0) childStart[p.nodeParent[n] + 1]++;
  for (let n = 0; n < nodes; n++) childStart[n + 1] += childStart[n];
  const children = new Int32Array(Math.max(0, childStart[nodes]));
  const fill = childStart.slice(0, nodes);
  for (let n = 0; n < nodes; n++) if (p.nodeParent[n] >= 0) children[fill[p.nodeParent[n]]++] = n;
  const onPath = new Int32Array(groups);
  // A typed-array stack: every node is pushed once to enter and once to leave, so 2 × nodes bounds it.
  const stack = new Int32Array(2 * nodes + 1);
  let sp = 0;
  for (let n = 0; n < nodes; n++) if (p.nodeParent[n] < 0) stack[sp++] = n;
  // Entries >= 0 enter a node; entries encoded as ~n leave it.
  while (sp > 0) {
    const e = stack[--sp];
    if (e < 0) {
      onPath[nodeKey[~e]]--;
      continue;
    }
    const f = nodeKey[e];
    if (onPath[f] === 0) total[f] += nodeTotal[e];
    onPath[f]++;
    stack[sp++] = ~e;
    for (let c = childStart[e]; c < childStart[e + 1]; c++) stack[sp++] = children[c];
  }
  return { self, total, all, active: all - idle, nodeSelf, nodeTotal };
}
