import type { Finding } from '../../core/finding.js';
import type { HeapGraph } from '../graph/heap-graph.js';
import { retainedOfSet } from '../retained-set.js';
import { pathDepth, retainerPath } from '../retainer-path.js';
import { grewEveryStep, isCovered, isNewSinceFirst, LIKELY_CAUSE, newObjectsUnder, perSnapshot, trail, weigh } from './common.js';
import type { HeapRule } from './types.js';

const MIN_NEW_REACTIONS = 100;
const MIN_NEW_PENDING = 200;

/**
 * `memory.unsettled-promises`: promises that never settle and keep collecting work — one long-lived pending
 * promise whose reactions (then/await/Promise.race handlers) grow in every snapshot, or the number of
 * pending promises growing in every snapshot.
 */
export const unsettledPromises: HeapRule = {
  id: 'memory.unsettled-promises',
  run(ctx) {
    const g = ctx.last;
    const out: Finding[] = [];
    const lastFacts = ctx.facts[ctx.facts.length - 1];
    for (const [id, rec] of lastFacts.promiseReactions) {
      const reactions = perSnapshot(ctx, (i) => ctx.facts[i].promiseReactions.get(id)?.value);
      const growth = reactions[reactions.length - 1] - reactions[0];
      if (!grewEveryStep(reactions) || growth < MIN_NEW_REACTIONS || isCovered(ctx, rec.node)) continue;
      ctx.covered.add(rec.node);
      const holder = ctx.scopes.holderOf(rec.node);
      const bytes = (g.retainedSize(rec.node) * growth) / reactions[reactions.length - 1];
      out.push({
        rule: 'memory.unsettled-promises',
        area: 'memory',
        ...weigh(ctx, bytes),
        title: `A promise that never settles — ${holder} — collects reactions: ${trail(reactions)}`,
        evidence: {
          holder,
          reactions,
          newObjects: newObjectsUnder(ctx, [rec.node]),
          pendingPromises: perSnapshot(ctx, (i) => ctx.facts[i].pendingPromises),
          retainedGrowthBytes: Math.round(bytes),
          retainerPath: retainerPath(g, rec.node).text,
          likelyCause: LIKELY_CAUSE.closures,
        },
        recommendation: `${LIKELY_CAUSE.closures}: every then()/await/Promise.race() on ${holder} adds a reaction that lives until it settles — which it never does — together with the handlers and what they capture. Settle it (resolve or reject on shutdown or timeout), or do not race or await a long-lived promise per request: use an AbortSignal (events.once(emitter, name, { signal }), AbortSignal.timeout) that is released when the request ends.`,
      });
    }
    const pending = perSnapshot(ctx, (i) => ctx.facts[i].pendingPromises);
    const growth = pending[pending.length - 1] - pending[0];
    if (out.length === 0 && grewEveryStep(pending) && growth >= MIN_NEW_PENDING) {
      // The new pending promises still alive: what they retain, and the one closest to a root as the example.
      const member = new Uint8Array(g.nodeCount);
      const members: number[] = [];
      const promise = g.strings.indexOf('Promise');
      let sample = -1;
      let sampleDepth = Infinity;
      for (let n = 0; n < g.nodeCount; n++) {
        if (g.nameIndex(n) !== promise || g.type(n) !== g.L.node.object || !isNewSinceFirst(ctx, n) || !isPending(g, n) || isCovered(ctx, n)) continue;
        member[n] = 1;
        members.push(n);
        const d = pathDepth(g, n);
        if (d < sampleDepth) {
          sample = n;
          sampleDepth = d;
        }
      }
      if (sample < 0 && ctx.newRange) return out;
      const bytes = retainedOfSet(g, member);
      out.push({
        rule: 'memory.unsettled-promises',
        area: 'memory',
        ...weigh(ctx, bytes),
        title: `Pending promises grow in every snapshot: ${trail(pending)}`,
        evidence: {
          pendingPromises: pending,
          newObjects: newObjectsUnder(ctx, members),
          retainedGrowthBytes: Math.round(bytes),
          retainerPath: sample >= 0 ? retainerPath(g, sample).text : '',
          likelyCause: LIKELY_CAUSE.closures,
        },
        recommendation: `${LIKELY_CAUSE.closures}: promises are created and never settled, and something keeps them (and the handlers waiting on them) alive. Make every promise settle — add a timeout or reject on close — and drop references to the ones that are abandoned.`,
      });
    }
    return out;
  },
};

/** Not known to be settled: no result recorded, or reactions still waiting (V8 keeps the state in a Smi). */
function isPending(g: HeapGraph, n: number): boolean {
  const r = g.child(n, 'reactions_or_result', g.L.edge.internal);
  return r < 0 || g.name(r) === 'system / PromiseReaction';
}
