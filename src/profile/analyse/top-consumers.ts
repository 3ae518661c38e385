import type { Profile } from '../../core/profile.js';
import {
  actionFor,
  nodeCategories,
  type Categoriser,
  type CategoryRule,
  type NodeCategories,
} from './categories.js';
import { hotLineOf, type HotLine } from './line-attribution.js';
import { frameWeights, type FrameWeights } from './weights.js';
import { groupFrames } from './function-groups.js';

export interface TopConsumer {
  frame: number;
  name: string;
  file: string | null;
  line: number | null;
  category: string;
  self: number;
  selfPct: number;
  total: number;
  totalPct: number;
  action: string;
  hotLine?: HotLine;
}

export interface CategoryShare {
  name: string;
  pct: number;
}

const pct = (x: number, of: number) => (of > 0 ? Math.round((10000 * x) / of) / 100 : 0);

/** Share of active (non-idle) weight per category, largest first. */
export function categoryShares(
  p: Profile,
  w: FrameWeights,
  categories: NodeCategories,
  moved?: ReadonlyMap<string, number>,
): CategoryShare[] {
  const sums = new Float64Array(categories.names.length);
  const ids = categories.ids;
  const nodeSelf = w.nodeSelf;
  for (let n = 0; n < p.nodeCount; n++) sums[ids[n]] += nodeSelf[n];
  const by = new Map<string, number>();
  categories.names.forEach((name, id) => {
    if (name !== 'idle' && sums[id] > 0) by.set(name, sums[id]);
  });
  for (const [name, x] of moved ?? []) by.set(name, (by.get(name) ?? 0) + x);
  return [...by.entries()]
    .filter(([, x]) => x > 1e-9 * w.active)
    .map(([name, x]) => ({ name, pct: pct(x, w.active) }))
    .sort((a, b) => b.pct - a.pct);
}

/**
 * The method's "Top Time Consumers" table: functions by self time, each with the category its self time falls
 * in (refined by the hottest line's builtin: a `JSON.stringify` line makes a handler's self time serialization).
 */
export function topConsumers(
  p: Profile,
  w: FrameWeights,
  cat: Categoriser,
  limit = 10,
  pre: { nodeCats?: NodeCategories; rules?: readonly CategoryRule[] } = {},
): { top: TopConsumer[]; categories: CategoryShare[] } {
  const categories = pre.nodeCats ?? nodeCategories(p, cat);
  // Self weight moved between categories by line attribution (a handler whose time is its JSON.stringify line).
  const moved = new Map<string, number>();
  const groups = groupFrames(p);
  const gw = frameWeights(p, groups.groupOf, groups.count);
  const groupCat = new Map<number, Map<string, number>>();
  for (let n = 0; n < p.nodeCount; n++) {
    if (w.nodeSelf[n] === 0) continue;
    const g = groups.groupOf[p.nodeFrame[n]];
    let m = groupCat.get(g);
    if (!m) groupCat.set(g, (m = new Map()));
    const c = categories.of(n);
    m.set(c, (m.get(c) ?? 0) + w.nodeSelf[n]);
  }
  const order = Array.from({ length: groups.count }, (_, g) => g)
    .filter((g) => p.frames[groups.representative[g]].kind !== 'idle' && gw.self[g] > 0)
    .sort((a, b) => gw.self[b] - gw.self[a])
    .slice(0, limit);
  const top = order.map((g): TopConsumer => {
    const f = groups.representative[g];
    const frame = p.frames[f];
    let category = [...(groupCat.get(g)?.entries() ?? [])].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'v8/native';
    const hotLine = frame.kind === 'code' && !groups.merged[g] ? hotLineOf(p, f) : undefined;
    if (hotLine?.category && hotLine.pct >= 50 && (category === 'your code' || category === 'dependency')) {
      const share = (gw.self[g] * hotLine.pct) / 100;
      moved.set(category, (moved.get(category) ?? 0) - share);
      moved.set(hotLine.category, (moved.get(hotLine.category) ?? 0) + share);
      category = hotLine.category;
    }
    return {
      frame: f,
      name: groups.names[g],
      file: frame.file ?? null,
      line: groups.merged[g] ? null : (frame.line ?? null),
      category,
      self: gw.self[g],
      selfPct: pct(gw.self[g], w.active),
      total: gw.total[g],
      totalPct: pct(gw.total[g], w.active),
      action: actionFor(category, pre.rules, frame),
      hotLine,
    };
  });
  return { top, categories: categoryShares(p, w, categories, moved) };
}
