import type { Finding } from '../../core/finding.js';
import { retainedOfSet } from '../retained-set.js';
import { pathDepth, retainerPath } from '../retainer-path.js';
import { grewEveryStep, isCovered, isNewSinceFirst, LIKELY_CAUSE, newObjectsUnder, perSnapshot, trail, weigh } from './common.js';
import type { HeapRule } from './types.js';

const MIN_NEW_CLOSURES = 100;
const MAX_FINDINGS = 5;

/**
 * `memory.closure-leak`: closures created at one source location (script:line:column) that accumulate in
 * every snapshot and are not already explained by a listener, timer, promise or collection finding — a
 * function made per request that something long-lived keeps, and with it the scope it closes over.
 */
export const closureLeak: HeapRule = {
  id: 'memory.closure-leak',
  run(ctx) {
    const g = ctx.last;
    const lastFacts = ctx.facts[ctx.facts.length - 1];
    const growing = new Map<string, number[]>();
    for (const key of lastFacts.closures.keys()) {
      const counts = perSnapshot(ctx, (i) => ctx.facts[i].closures.get(key));
      if (grewEveryStep(counts) && counts[counts.length - 1] - counts[0] >= MIN_NEW_CLOSURES) growing.set(key, counts);
    }
    if (growing.size === 0) return [];
    // One pass over the closures of the last snapshot: members of each growing location.
    const members = new Map<string, number[]>();
    for (let n = 0; n < g.nodeCount; n++) {
      if (g.type(n) !== g.L.node.closure) continue;
      const loc = g.locationOf(n);
      if (!loc) continue;
      const key = `${loc.scriptId}:${loc.line}:${loc.column}`;
      if (!growing.has(key)) continue;
      let list = members.get(key);
      if (!list) members.set(key, (list = []));
      list.push(n);
    }
    const out: Finding[] = [];
    const ranked = [...growing.entries()].sort((a, b) => b[1][b[1].length - 1] - b[1][0] - (a[1][a[1].length - 1] - a[1][0]));
    for (const [key, counts] of ranked) {
      if (out.length >= MAX_FINDINGS) break;
      const nodes = (members.get(key) ?? []).filter((n) => !ctx.newRange || isNewSinceFirst(ctx, n));
      const open = nodes.filter((n) => !isCovered(ctx, n));
      if (open.length < MIN_NEW_CLOSURES / 2) continue; // explained by an earlier finding
      const member = new Uint8Array(g.nodeCount);
      let sample = open[0];
      let sampleDepth = Infinity;
      for (const n of open) {
        member[n] = 1;
        const d = pathDepth(g, n);
        if (d < sampleDepth) {
          sample = n;
          sampleDepth = d;
        }
      }
      for (const n of members.get(key) ?? []) ctx.covered.add(n);
      const bytes = retainedOfSet(g, member);
      const location = ctx.scopes.closureLocation(sample);
      const fn = g.name(sample) || '(anonymous)';
      const holder = ctx.scopes.holderOf(sample);
      out.push({
        rule: 'memory.closure-leak',
        area: 'memory',
        ...weigh(ctx, bytes),
        title: `Closures created at ${location} (${fn}) accumulate: ${trail(counts)}, ${open.length} new ones still alive`,
        evidence: {
          location,
          function: fn,
          closures: counts,
          newAlive: open.length,
          newObjects: newObjectsUnder(ctx, open),
          holder,
          retainedGrowthBytes: Math.round(bytes),
          retainerPath: retainerPath(g, sample).text,
          likelyCause: LIKELY_CAUSE.closures,
        },
        recommendation: `${LIKELY_CAUSE.closures}: ${fn} at ${location} is created again and again and each copy stays reachable (held by ${holder}), keeping its whole scope alive. Drop the long-lived reference to it, or keep out of its scope what it does not need — V8 gives all closures of one function a shared context, so one closure that mentions a big object keeps it for every sibling.`,
      });
    }
    return out;
  },
};
