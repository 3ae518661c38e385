import { severityForPct, type Finding } from '../../../core/finding.js';
import { maxRepeat, pctOf, treeStats } from '../tree-stats.js';
import type { ProfileRule } from './types.js';

/** A function on its own stack this many times is a tower, not a tree walk of a few levels. */
const MIN_REPEAT = 16;
/** …and the tower must hold this share of CPU to matter. */
const MIN_SHARE_PCT = 5;

/**
 * The method's "tall narrow tower": deep recursion. Time spent in stacks where one function recurses at least
 * MIN_REPEAT deep is charged to that function; a large share means exponential or unbounded recursion (fib
 * without memo, a recursive walk of a long list) and a risk of stack overflow.
 */
export const deepRecursion: ProfileRule = {
  id: 'cpu.deep-recursion',
  run({ profile: p, weights: w }) {
    if (maxRepeat(p) < MIN_REPEAT) return []; // no frame is on any stack MIN_REPEAT times: no tower to look for
    const ts = treeStats(p);
    const tower = new Map<number, { weight: number; repeat: number; depth: number }>();
    for (let n = 0; n < p.nodeCount; n++) {
      if (w.nodeSelf[n] === 0 || ts.maxRepeatOnPath[n] < MIN_REPEAT) continue;
      const f = p.nodeFrame[ts.maxRepeatNode[n]];
      const t = tower.get(f) ?? { weight: 0, repeat: 0, depth: 0 };
      t.weight += w.nodeSelf[n];
      t.repeat = Math.max(t.repeat, ts.maxRepeatOnPath[n]);
      t.depth = Math.max(t.depth, ts.depth[n]);
      tower.set(f, t);
    }
    const findings: Finding[] = [];
    for (const [f, t] of tower) {
      const share = pctOf(t.weight, w.active);
      if (share < MIN_SHARE_PCT || p.frames[f].kind !== 'code') continue;
      const frame = p.frames[f];
      const where = frame.file
        ? ` (${frame.file.split('/').slice(-2).join('/')}${frame.line ? `:${frame.line}` : ''})`
        : '';
      findings.push({
        rule: 'cpu.deep-recursion',
        area: 'cpu',
        severity: severityForPct(share / 2),
        title: `${frame.name} recurses up to ${t.repeat} deep; those stacks take ${share}% of CPU time`,
        evidence: {
          function: frame.name,
          file: frame.file ?? null,
          line: frame.line ?? null,
          maxRecursion: t.repeat,
          maxStackDepth: t.depth,
          pct: share,
        },
        recommendation:
          `Check ${frame.name}${where} for repeated work: memoize results of identical calls, or rewrite the recursion as a loop with an explicit stack ` +
          `(deep recursion also risks "Maximum call stack size exceeded").`,
        estimatedImpact: {
          pct: Math.round(share * 50) / 100,
          basis:
            'half of the share of non-idle CPU in stacks where the function recurses deeply: memoization or an iterative version usually removes most of it',
        },
      });
    }
    return findings.sort((a, b) => b.estimatedImpact.pct - a.estimatedImpact.pct);
  },
};
