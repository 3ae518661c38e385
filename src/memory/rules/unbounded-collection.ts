import type { Finding } from '../../core/finding.js';
import { retainerPath } from '../retainer-path.js';
import { grewEveryStep, inconclusive, isCovered, LIKELY_CAUSE, mb, newObjectsUnder, perSnapshot, trail, weigh } from './common.js';
import type { HeapRule } from './types.js';

/** Fewer new entries than this over the series is churn, not a leak. */
const MIN_NEW_ENTRIES = 100;
/** Nor is growth of less than this many bytes retained: the absolute floor under the share of heap growth. */
const MIN_RETAINED_GROWTH = 256 * 1024;

/**
 * `memory.unbounded-collection`: one Map, Set, Array or dictionary-like Object (the same object, by V8 id)
 * whose entries grow in every snapshot. Reported with the slot that owns it and its retainer path.
 */
export const unboundedCollection: HeapRule = {
  id: 'memory.unbounded-collection',
  run(ctx) {
    const g = ctx.last;
    const lastFacts = ctx.facts[ctx.facts.length - 1];
    const beforeLast = ctx.facts[ctx.facts.length - 2];
    const out: Finding[] = [];
    const candidates = [...lastFacts.collections.entries()].sort((a, b) => b[1].retained - a[1].retained);
    for (const [id, c] of candidates) {
      if (!beforeLast?.collections.has(id)) continue; // the same object must have been there before
      const entries = perSnapshot(ctx, (i) => ctx.facts[i].collections.get(id)?.value);
      const retained = perSnapshot(ctx, (i) => ctx.facts[i].collections.get(id)?.retained);
      const growth = entries[entries.length - 1] - entries[0];
      if (!grewEveryStep(entries) || growth < MIN_NEW_ENTRIES || entries[entries.length - 1] < 1.2 * entries[0]) continue;
      if (levellingOff(entries)) continue;
      if (Math.max(0, retained[retained.length - 1] - retained[0]) < MIN_RETAINED_GROWTH) continue;
      if (isCovered(ctx, c.node)) continue;
      ctx.covered.add(c.node);
      const holder = ctx.scopes.holderOf(c.node);
      const path = retainerPath(g, c.node);
      const entryTypes = entryClasses(ctx.last, c.node, c.kind);
      const cacheLike = c.kind === 'Map' || c.kind === 'Object';
      const likelyCause = cacheLike ? LIKELY_CAUSE.cache : LIKELY_CAUSE.globals;
      const bytes = Math.max(0, retained[retained.length - 1] - retained[0]);
      out.push({
        rule: 'memory.unbounded-collection',
        area: 'memory',
        ...weigh(ctx, bytes, true),
        title: `${c.kind} ${holder} grows in every snapshot: ${trail(entries)} entries, ${mb(retained[retained.length - 1])} retained${
          inconclusive(ctx) ? `${ctx.spanS !== undefined ? ` over ${ctx.spanS} s` : ''}; not yet known whether it is bounded — run longer` : ''
        }`,
        evidence: {
          collection: c.kind,
          holder,
          objectId: id,
          entries,
          retainedBytes: retained,
          retainedGrowthBytes: bytes,
          entryTypes,
          newObjects: newObjectsUnder(ctx, [c.node]),
          retainerPath: path.text,
          likelyCause,
        },
        recommendation: `${likelyCause}: ${holder} only ever gains entries. ${
          cacheLike
            ? 'Bound it — an LRU with a maximum size or a TTL — or delete the entry when what it belongs to ends (response finished, connection closed); key it with a WeakMap when the entry should live exactly as long as an object.'
            : 'Trim it (keep the last N, or drain it once processed), or keep per-request data in request scope so it dies with the request.'
        }`,
      });
    }
    return out;
  },
};

/**
 * A bounded cache filling up grows in every snapshot too, but its last step is much smaller than the one
 * before (it reached its bound). With three or more evenly spaced snapshots, a last step under a quarter of
 * the previous one is a collection levelling off, not an unbounded one.
 */
export function levellingOff(entries: readonly number[]): boolean {
  const n = entries.length;
  if (n < 3) return false;
  const previous = entries[n - 2] - entries[n - 3];
  const last = entries[n - 1] - entries[n - 2];
  return previous > 0 && last < previous / 4;
}

/** The classes a collection's entries point at, most common first (what the cache caches). */
function entryClasses(g: import('../graph/heap-graph.js').HeapGraph, node: number, kind: string): Array<{ name: string; count: number }> {
  const counts = new Map<string, number>();
  const scan = (n: number) => {
    for (let e = g.firstEdge(n), end = g.endEdge(n); e < end; e++) {
      const t = g.edgeType(e);
      if (t === g.L.edge.weak || (t === g.L.edge.internal && g.edgeName(e) === 'map') || g.edgeName(e) === '__proto__') continue;
      if (kind === 'Array' && t !== g.L.edge.element) continue;
      if (kind === 'Object' && t !== g.L.edge.property) continue;
      const name = g.className(g.edgeTo(e));
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  };
  if (kind === 'Map' || kind === 'Set') {
    const table = g.child(node, 'table', g.L.edge.internal);
    if (table >= 0) scan(table);
  } else scan(node);
  // Most common first; on a tie (a Map's keys and values) the values, which say more than key strings.
  const stringy = (name: string) => (name.startsWith('(') && name.endsWith('string)') ? 1 : 0);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || stringy(a[0]) - stringy(b[0]))
    .slice(0, 3)
    .map(([name, count]) => ({ name, count }));
}
