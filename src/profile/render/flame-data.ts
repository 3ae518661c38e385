import type { Profile } from '../../core/profile.js';
import { frameWeights } from '../analyse/weights.js';

/**
 * The flame graph's data, compact: a frame table and the call tree as parallel arrays in depth-first order
 * (parents before children), idle excluded. The page lays it out itself (left-heavy: widest child first).
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
}

export function flameData(p: Profile, title: string, categoryOfFrame?: (frame: number) => string): FlameData {
  const w = frameWeights(p);
  const keep = new Array<boolean>(p.nodeCount);
  const index = new Int32Array(p.nodeCount).fill(-1);
  const out: FlameData = { title, unit: p.unit, names: [], locations: [], categories: [], frame: [], parent: [], total: [], self: [] };
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
      out.locations.push(f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '');
      out.categories.push(categoryOfFrame?.(p.nodeFrame[n]) ?? '');
    }
    index[n] = out.frame.length;
    out.frame.push(fi);
    out.parent.push(parent < 0 ? -1 : index[parent]);
    out.total.push(w.nodeTotal[n]);
    out.self.push(w.nodeSelf[n]);
  }
  return out;
}
