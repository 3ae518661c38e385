import type { Finding } from '../../core/finding.js';
import type { HeapGraph } from '../graph/heap-graph.js';
import { isProperAncestor } from '../graph/tree-index.js';
import { retainerPath } from '../retainer-path.js';
import { grewEveryStep, LIKELY_CAUSE, mb, newObjectsUnder, perSnapshot, weigh } from './common.js';
import type { HeapRule } from './types.js';

const MIN_GROWTH_BYTES = 64 * 1024;

/**
 * `memory.global-growth`: what a global property or a module-level variable holds keeps growing (retained
 * size up in every snapshot) — a linked history, a string log, a structure no collection rule recognises.
 * Runs last: growth a more specific finding already explains (one of its objects lies under the same
 * variable) is not reported again.
 */
export const globalGrowth: HeapRule = {
  id: 'memory.global-growth',
  run(ctx) {
    const g = ctx.last;
    const lastFacts = ctx.facts[ctx.facts.length - 1];
    const out: Finding[] = [];
    const ranked = [...lastFacts.slots.entries()].sort((a, b) => b[1].value - a[1].value);
    for (const [key, slot] of ranked) {
      const retained = perSnapshot(ctx, (i) => ctx.facts[i].slots.get(key)?.value);
      const growth = retained[retained.length - 1] - retained[0];
      if (!grewEveryStep(retained) || growth < MIN_GROWTH_BYTES || growth < 0.1 * retained[0]) continue;
      const target = slot.node;
      if (explainedBelow(g, target, ctx.covered)) continue;
      ctx.covered.add(target);
      const holder = ctx.scopes.holderOf(target);
      const newObjects = newObjectsUnder(ctx, [target], 3);
      out.push({
        rule: 'memory.global-growth',
        area: 'memory',
        ...weigh(ctx, growth),
        title: `${holder} keeps growing: ${retained.map(mb).join(' → ')} retained`,
        evidence: {
          holder,
          retainedBytes: retained,
          retainedGrowthBytes: growth,
          newObjects,
          retainerPath: retainerPath(g, target).text,
          likelyCause: LIKELY_CAUSE.globals,
        },
        recommendation: `${LIKELY_CAUSE.globals}: ${holder} accumulates${newObjects[0] ? ` (${newObjects.map((o) => `${o.count} × ${o.name}`).join(', ')} added since the first snapshot)` : ''} and nothing ever trims it. Bound it — keep the last N items, drop what was processed — or keep per-request data in request scope so it is collected with the request.`,
      });
    }
    return out;
  },
};

/**
 * True when a node a finding already names lies in target's dominator subtree (that finding explains it).
 * O(covered) per slot: a pre-order interval test per covered node instead of walking the subtree.
 */
function explainedBelow(g: HeapGraph, target: number, covered: ReadonlySet<number>): boolean {
  if (covered.size === 0) return false;
  if (covered.has(target)) return true;
  const tree = g.dominatorIndex();
  for (const c of covered) if (isProperAncestor(tree, target, c)) return true;
  return false;
}
