import type { Finding } from '../../core/finding.js';
import { retainedOfSet } from '../retained-set.js';
import { pathDepth, retainerPath } from '../retainer-path.js';
import { grewEveryStep, isNewSinceFirst, LIKELY_CAUSE, newObjectsUnder, perSnapshot, trail, weigh } from './common.js';
import type { HeapRule } from './types.js';

const MIN_NEW_TIMERS = 20;

/**
 * `memory.timer-leak`: live `Timeout` objects (callback still set: neither fired-and-done nor cleared) grow in
 * every snapshot — typically a setInterval started per request and never cleared, each holding its callback's
 * scope.
 */
export const timerLeak: HeapRule = {
  id: 'memory.timer-leak',
  run(ctx) {
    const g = ctx.last;
    const live = perSnapshot(ctx, (i) => ctx.facts[i].timers.live);
    const intervals = perSnapshot(ctx, (i) => ctx.facts[i].timers.intervals);
    const growth = live[live.length - 1] - live[0];
    if (!grewEveryStep(live) || growth < MIN_NEW_TIMERS) return [];
    const first = ctx.facts[0].timers.byCallback;
    const byCallback = [...ctx.facts[ctx.facts.length - 1].timers.byCallback.entries()]
      .map(([location, count]) => ({ location, count, growth: count - (first.get(location) ?? 0) }))
      .sort((a, b) => b.growth - a.growth)
      .slice(0, 3);
    const top = byCallback[0]?.location ?? '';
    // The live timers of the top callback, and among the new ones the one closest to a root as the example.
    const member = new Uint8Array(g.nodeCount);
    const timeoutName = g.strings.indexOf('Timeout');
    let sample = -1;
    let sampleDepth = Infinity;
    for (let n = 0; n < g.nodeCount; n++) {
      if (g.nameIndex(n) !== timeoutName || g.type(n) !== g.L.node.object) continue;
      const cb = g.child(n, '_onTimeout');
      if (cb < 0 || g.type(cb) !== g.L.node.closure) continue;
      const where = ctx.scopes.closureLocation(cb) || g.name(cb) || '(anonymous)';
      if (where !== top) continue;
      ctx.covered.add(n);
      if (!isNewSinceFirst(ctx, n) && ctx.newRange) continue;
      member[n] = 1;
      const d = pathDepth(g, n);
      if (d < sampleDepth) {
        sample = n;
        sampleDepth = d;
      }
    }
    const bytes = retainedOfSet(g, member);
    const roots: number[] = [];
    for (let n = 0; n < g.nodeCount; n++) if (member[n]) roots.push(n);
    const finding: Finding = {
      rule: 'memory.timer-leak',
      area: 'memory',
      ...weigh(ctx, bytes),
      title: `Live timers grow in every snapshot: ${trail(live)} (${intervals[intervals.length - 1]} intervals)${top ? `, callback at ${top}` : ''}`,
      evidence: {
        liveTimers: live,
        intervals,
        byCallback,
        newObjects: newObjectsUnder(ctx, roots),
        retainedGrowthBytes: Math.round(bytes),
        retainerPath: sample >= 0 ? retainerPath(g, sample).text : '',
        likelyCause: LIKELY_CAUSE.timers,
      },
      recommendation: `${LIKELY_CAUSE.timers}: timers${top ? ` created at ${top}` : ''} are started and never cleared; each keeps its callback and everything that callback captures. Keep the handle and clearInterval()/clearTimeout() it when the work it waits for is done or its owner closes (timer.unref() only lets the process exit — it frees nothing).`,
    };
    return [finding];
  },
};
