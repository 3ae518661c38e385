import type { Profile } from '../../core/profile.js';
import { CATEGORY_ACTIONS, nodeCategories, type Categoriser } from './categories.js';
import { hotLineOf, type HotLine } from './line-attribution.js';
import type { FrameWeights } from './weights.js';

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
export function categoryShares(p: Profile, w: FrameWeights, categories: readonly string[]): CategoryShare[] {
  const by = new Map<string, number>();
  for (let n = 0; n < p.nodeCount; n++) {
    if (categories[n] === 'idle' || w.nodeSelf[n] === 0) continue;
    by.set(categories[n], (by.get(categories[n]) ?? 0) + w.nodeSelf[n]);
  }
  return [...by.entries()].map(([name, x]) => ({ name, pct: pct(x, w.active) })).sort((a, b) => b.pct - a.pct);
}

/**
 * The method's "Top Time Consumers" table: functions by self time, each with the category its self time falls
 * in (refined by the hottest line's builtin: a `JSON.stringify` line makes a handler's self time serialization).
 */
export function topConsumers(p: Profile, w: FrameWeights, cat: Categoriser, limit = 10): { top: TopConsumer[]; categories: CategoryShare[] } {
  const categories = nodeCategories(p, cat);
  const frameCat = new Map<number, Map<string, number>>();
  for (let n = 0; n < p.nodeCount; n++) {
    if (w.nodeSelf[n] === 0) continue;
    const f = p.nodeFrame[n];
    let m = frameCat.get(f);
    if (!m) frameCat.set(f, (m = new Map()));
    m.set(categories[n], (m.get(categories[n]) ?? 0) + w.nodeSelf[n]);
  }
  const order = Array.from(p.frames.keys())
    .filter((f) => p.frames[f].kind !== 'idle' && w.self[f] > 0)
    .sort((a, b) => w.self[b] - w.self[a])
    .slice(0, limit);
  const top = order.map((f): TopConsumer => {
    const frame = p.frames[f];
    let category = [...(frameCat.get(f)?.entries() ?? [])].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'v8/native';
    const hotLine = frame.kind === 'code' ? hotLineOf(p, f) : undefined;
    if (hotLine?.category && hotLine.pct >= 50 && (category === 'your code' || category === 'dependency')) category = hotLine.category;
    return {
      frame: f,
      name: frame.name,
      file: frame.file ?? null,
      line: frame.line ?? null,
      category,
      self: w.self[f],
      selfPct: pct(w.self[f], w.active),
      total: w.total[f],
      totalPct: pct(w.total[f], w.active),
      action: CATEGORY_ACTIONS[category] ?? CATEGORY_ACTIONS['your code'],
      hotLine,
    };
  });
  return { top, categories: categoryShares(p, w, categories) };
}
