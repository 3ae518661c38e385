import type { Profile } from '../../core/profile.js';
import {
  categoriser,
  DEFAULT_CATEGORY_RULES,
  nodeCategories,
  type CategoryRule,
} from '../analyse/categories.js';
import { frameWeights } from '../analyse/weights.js';
import { functionKey, type FunctionChange } from '../diff/diff.js';
import { sampleOrder } from '../export/speedscope.js';

/**
 * The flame graph's data, compact: a frame table and the call tree as parallel arrays in creation order
 * (parents before children), idle excluded. The page lays it out itself (left-heavy: widest child first), so a
 * million samples cost only as many entries as the tree has nodes. Time order comes as slices of consecutive
 * samples with the same leaf (downsampled to at most MAX_TIME_SLICES).
 */
export interface FlameData {
  title: string;
  unit: string;
  names: string[];
  /** "file:line" per frame ('' when unknown). */
  locations: string[];
  categories: string[];
  /** Per tree node: frame index, parent index (-1 root level), total and self weight. */
  frame: number[];
  parent: number[];
  total: number[];
  self: number[];
  /** Time order: the leaf tree node of each slice and its weight; absent when the profile has no time. */
  timeline?: { node: number[]; weight: number[]; downsampled: boolean };
  /** Differential view: `total`/`self` are the after profile's, these the before profile's on the same tree. */
  diff?: {
    beforeTotal: number[];
    beforeSelf: number[];
    beforeName: string;
    afterName: string;
    changes: FunctionChange[];
  };
}

export const MAX_TIME_SLICES = 100_000;

const location = (f: { file?: string; line?: number }) =>
  f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '';

export function flameData(p: Profile, title: string, categoryOfFrame?: (frame: number) => string): FlameData {
  const w = frameWeights(p);
  const keep = new Array<boolean>(p.nodeCount);
  const index = new Int32Array(p.nodeCount).fill(-1);
  const out: FlameData = {
    title,
    unit: p.unit,
    names: [],
    locations: [],
    categories: [],
    frame: [],
    parent: [],
    total: [],
    self: [],
  };
  const frameIndex = new Map<number, number>();
  for (let n = 0; n < p.nodeCount; n++) {
    const parent = p.nodeParent[n];
    const f = p.frames[p.nodeFrame[n]];
    keep[n] = f.kind !== 'idle' && w.nodeTotal[n] > 0 && (parent < 0 || keep[parent]);
    if (!keep[n]) continue;
    let fi = frameIndex.get(p.nodeFrame[n]);
    if (fi === undefined) {
      fi = out.names.length;
      frameIndex.set(p.nodeFrame[n], fi);
      out.names.push(f.name);
      out.locations.push(location(f));
      out.categories.push(categoryOfFrame?.(p.nodeFrame[n]) ?? '');
    }
    index[n] = out.frame.length;
    out.frame.push(fi);
    out.parent.push(parent < 0 ? -1 : index[parent]);
    out.total.push(w.nodeTotal[n]);
    out.self.push(w.nodeSelf[n]);
  }
  if (p.sampleTime) out.timeline = timeline(p, index);
  return out;
}

/** Consecutive samples with the same leaf merged; at most MAX_TIME_SLICES slices (the heaviest leaf per bucket). */
function timeline(p: Profile, index: Int32Array): FlameData['timeline'] {
  const order = sampleOrder(p);
  const runsNode: number[] = [];
  const runsWeight: number[] = [];
  let total = 0;
  for (let k = 0; k < order.length;) {
    const node = index[p.sampleNode[order[k]]];
    let weight = 0;
    for (; k < order.length && index[p.sampleNode[order[k]]] === node; k++)
      weight += p.sampleWeight[order[k]];
    if (node < 0 || weight <= 0) continue; // idle: no slice
    runsNode.push(node);
    runsWeight.push(weight);
    total += weight;
  }
  if (runsNode.length <= MAX_TIME_SLICES) return { node: runsNode, weight: runsWeight, downsampled: false };
  const bucket = total / MAX_TIME_SLICES;
  const node: number[] = [];
  const weight: number[] = [];
  let acc = 0;
  let best = -1;
  let bestW = -1;
  let sum = 0;
  for (let i = 0; i < runsNode.length; i++) {
    sum += runsWeight[i];
    if (runsWeight[i] > bestW) {
      bestW = runsWeight[i];
      best = runsNode[i];
    }
    acc += runsWeight[i];
    if (acc >= bucket || i === runsNode.length - 1) {
      if (node.length > 0 && node[node.length - 1] === best) weight[weight.length - 1] += sum;
      else {
        node.push(best);
        weight.push(sum);
      }
      acc = 0;
      sum = 0;
      bestW = -1;
    }
  }
  return { node, weight, downsampled: true };
}

/**
 * A frame → category function for the flame graph: the category of the frame's heaviest node, refined by the
 * top consumers' line attribution when given (a handler whose time is its JSON.stringify line is serialization).
 */
export function frameCategories(
  p: Profile,
  rules: readonly CategoryRule[] = [],
  refined?: ReadonlyMap<number, string>,
): (frame: number) => string {
  const cats = nodeCategories(p, categoriser([...rules, ...DEFAULT_CATEGORY_RULES]));
  const w = frameWeights(p);
  const best = new Map<number, [string, number]>();
  for (let n = 0; n < p.nodeCount; n++) {
    const f = p.nodeFrame[n];
    const cur = best.get(f);
    if (!cur || w.nodeTotal[n] > cur[1]) best.set(f, [cats.of(n), w.nodeTotal[n]]);
  }
  return (f) => refined?.get(f) ?? best.get(f)?.[0] ?? '';
}

/**
 * The differential flame graph's data: both profiles' call trees merged by function (name and file), the after
 * profile's weights in total/self and the before profile's in diff.beforeTotal/beforeSelf. Frames that exist in
 * one profile only keep a zero on the other side, so vanished code is still drawn.
 */
export function diffFlameData(
  before: Profile,
  after: Profile,
  title: string,
  changes: FunctionChange[],
  categoryOf?: { before?: (frame: number) => string; after?: (frame: number) => string },
): FlameData {
  const out: FlameData = {
    title,
    unit: after.unit,
    names: [],
    locations: [],
    categories: [],
    frame: [],
    parent: [],
    total: [],
    self: [],
  };
  const beforeTotal: number[] = [];
  const beforeSelf: number[] = [];
  const frameIds = new Map<string, number>();
  const children = new Map<string, number>();
  const add = (p: Profile, side: 'before' | 'after') => {
    const w = frameWeights(p);
    const map = new Int32Array(p.nodeCount).fill(-1);
    for (let n = 0; n < p.nodeCount; n++) {
      const parent = p.nodeParent[n];
      const f = p.frames[p.nodeFrame[n]];
      if (f.kind === 'idle' || w.nodeTotal[n] <= 0 || (parent >= 0 && map[parent] < 0)) continue;
      const key = functionKey(f);
      let fi = frameIds.get(key);
      if (fi === undefined) {
        fi = out.names.length;
        frameIds.set(key, fi);
        out.names.push(f.name);
        out.locations.push(location(f));
        out.categories.push(categoryOf?.[side]?.(p.nodeFrame[n]) ?? '');
      }
      const up = parent < 0 ? -1 : map[parent];
      const ck = `${up}:${fi}`;
      let node = children.get(ck);
      if (node === undefined) {
        node = out.frame.length;
        children.set(ck, node);
        out.frame.push(fi);
        out.parent.push(up);
        out.total.push(0);
        out.self.push(0);
        beforeTotal.push(0);
        beforeSelf.push(0);
      }
      map[n] = node;
      if (side === 'after') {
        out.total[node] += w.nodeTotal[n];
        out.self[node] += w.nodeSelf[n];
      } else {
        beforeTotal[node] += w.nodeTotal[n];
        beforeSelf[node] += w.nodeSelf[n];
      }
    }
  };
  add(before, 'before');
  add(after, 'after');
  out.diff = {
    beforeTotal,
    beforeSelf,
    beforeName: before.meta.name ?? 'before',
    afterName: after.meta.name ?? 'after',
    changes,
  };
  return out;
}
