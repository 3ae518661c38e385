import type { Finding } from '../../core/finding.js';
import { retainerPath } from '../retainer-path.js';
import { grewEveryStep, isCovered, LIKELY_CAUSE, newObjectsUnder, perSnapshot, trail, weigh } from './common.js';
import type { HeapRule } from './types.js';

/** Node warns above 10 listeners per event (MaxListenersExceededWarning); growth below this is noise. */
const MIN_LISTENERS = 11;
const MIN_NEW_LISTENERS = 10;

/**
 * `memory.listener-leak`: an EventEmitter (any object with `_events`) whose listener count for one event
 * grows in every snapshot — a listener added per request or connection and never removed.
 */
export const listenerLeak: HeapRule = {
  id: 'memory.listener-leak',
  run(ctx) {
    const g = ctx.last;
    const lastFacts = ctx.facts[ctx.facts.length - 1];
    const out: Finding[] = [];
    for (const [key, rec] of [...lastFacts.listeners.entries()].sort((a, b) => b[1].value - a[1].value)) {
      const counts = perSnapshot(ctx, (i) => ctx.facts[i].listeners.get(key)?.value);
      const growth = counts[counts.length - 1] - counts[0];
      if (!grewEveryStep(counts) || counts[counts.length - 1] < MIN_LISTENERS || growth < MIN_NEW_LISTENERS) continue;
      const emitter = rec.node;
      if (isCovered(ctx, emitter)) continue;
      ctx.covered.add(emitter);
      const event = key.slice(key.indexOf('\u0000') + 1);
      const holder = ctx.scopes.holderOf(emitter);
      const { location, bytes, slot } = listenerDetails(ctx, emitter, event, growth / counts[counts.length - 1]);
      const cls = g.className(emitter);
      out.push({
        rule: 'memory.listener-leak',
        area: 'memory',
        ...weigh(ctx, bytes),
        title: `${cls} ${holder} collects '${event}' listeners: ${trail(counts)} — added and never removed`,
        evidence: {
          emitter: cls,
          holder,
          event,
          listeners: counts,
          listenerLocation: location,
          newObjects: newObjectsUnder(ctx, slot >= 0 ? [slot] : []),
          retainedGrowthBytes: Math.round(bytes),
          retainerPath: retainerPath(g, emitter).text,
          likelyCause: LIKELY_CAUSE.listeners,
        },
        recommendation: `${LIKELY_CAUSE.listeners}: every '${event}' listener${location ? ` added at ${location}` : ''} stays registered, and keeps alive everything it captures. Remove it when the request or connection it serves ends (emitter.off in a finally or on 'close'), use once() for one-shot events, or pass { signal } (emitter.on(event, fn, { signal }) / events.on) and abort it.`,
      });
    }
    return out;
  },
};

/** Where the listeners were created (most common closure location) and what the new ones retain. */
function listenerDetails(ctx: Parameters<HeapRule['run']>[0], emitter: number, event: string, newShare: number): { location: string; bytes: number; slot: number } {
  const g = ctx.last;
  const events = g.child(emitter, '_events');
  const slot = events >= 0 ? g.child(events, event) : -1;
  if (slot < 0) return { location: '', bytes: 0, slot };
  const where = new Map<string, number>();
  for (let e = g.firstEdge(slot), end = g.endEdge(slot); e < end; e++) {
    const fn = g.edgeTo(e);
    if (g.type(fn) !== g.L.node.closure) continue;
    const loc = ctx.scopes.closureLocation(fn);
    if (loc) where.set(loc, (where.get(loc) ?? 0) + 1);
  }
  const location = [...where.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  return { location, bytes: g.retainedSize(slot) * newShare, slot };
}
