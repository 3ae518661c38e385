import { severityForPct, type Finding } from '../../../core/finding.js';
import { isAppFile } from '../categories.js';
import { nodeRepeats, pctOf } from '../tree-stats.js';
import type { ProfileRule } from './types.js';

/** Only functions holding at least this share of CPU (total) are worth a look. */
const MIN_TOTAL_PCT = 10;
/** A caller counts when it brings at least this part of the function's total. */
const MIN_CALLER_PART = 0.05;
const MIN_CALLERS = 3;
/** …and no single caller dominates (that would be a plateau under one path, not a wide base). */
const MAX_TOP_CALLER_PART = 0.7;
/** Code the user can change or replace: their own, or a dependency's. Runtimes and node core are dispatchers
 * by nature (event emitters, schedulers, preemption): many callers is normal there. */
const changeable = (file: string | undefined) =>
  isAppFile(file) || /node_modules\/|\/pkg\/mod\/|\/(site|dist)-packages\//.test(file ?? '');

/**
 * The method's "wide base": one function reached from many call paths, its total made of many medium calls
 * rather than one hot spot → reduce how often it is called (cache, batch, hoist out of the loop).
 */
export const hotPath: ProfileRule = {
  id: 'cpu.hot-path',
  run({ profile: p, weights: w, nodeCategories: cats, top }) {
    const repeat = nodeRepeats(p);
    const callers = new Map<number, Map<number, number>>();
    const frameCat = new Map<number, string>();
    // Only frames that can become a finding are followed node by node (a 20M-node tree has few of them).
    const minTotal = (MIN_TOTAL_PCT / 100) * w.active;
    const candidate = p.frames.map(
      (fr, f) => fr.kind === 'code' && w.total[f] >= minTotal && changeable(fr.file),
    );
    for (let n = 0; n < p.nodeCount; n++) {
      const f = p.nodeFrame[n];
      if (!candidate[f]) continue;
      if (repeat[n] !== 1 || w.nodeTotal[n] === 0 || p.frames[f].kind !== 'code') continue; // recursion counts once
      const parent = p.nodeParent[n];
      const caller = parent < 0 ? -1 : p.nodeFrame[parent];
      let m = callers.get(f);
      if (!m) callers.set(f, (m = new Map()));
      m.set(caller, (m.get(caller) ?? 0) + w.nodeTotal[n]);
      if (!frameCat.has(f)) frameCat.set(f, cats.of(n));
    }
    const findings: Finding[] = [];
    for (const [f, byCaller] of callers) {
      const total = w.total[f];
      const totalPct = pctOf(total, w.active);
      if (totalPct < MIN_TOTAL_PCT) continue;
      const frame = p.frames[f];
      const category = top.find((t) => t.frame === f)?.category ?? frameCat.get(f) ?? 'your code';
      if (!changeable(frame.file)) continue;
      const ranked = [...byCaller.entries()].sort((a, b) => b[1] - a[1]);
      const significant = ranked.filter(([, x]) => x >= MIN_CALLER_PART * total);
      if (significant.length < MIN_CALLERS || ranked[0][1] > MAX_TOP_CALLER_PART * total) continue;
      const callerList = significant.slice(0, 6).map(([c, x]) => ({
        function: c < 0 ? '(root)' : p.frames[c].name,
        file: c < 0 ? null : (p.frames[c].file ?? null),
        line: c < 0 ? null : (p.frames[c].line ?? null),
        pct: pctOf(x, w.active),
      }));
      const saved = pctOf(total - ranked[0][1], w.active);
      const where = frame.file
        ? ` (${frame.file.split('/').slice(-2).join('/')}${frame.line ? `:${frame.line}` : ''})`
        : '';
      findings.push({
        rule: 'cpu.hot-path',
        area: 'cpu',
        severity: severityForPct(saved),
        title: `${frame.name} takes ${totalPct}% of CPU time, reached from ${ranked.length} call paths`,
        evidence: {
          function: frame.name,
          file: frame.file ?? null,
          line: frame.line ?? null,
          category,
          totalPct,
          selfPct: pctOf(w.self[f], w.active),
          callPaths: ranked.length,
          callers: callerList,
        },
        recommendation:
          `Reduce how often ${frame.name}${where} runs: compute it once per request and pass the result on, cache or memoize it, or batch the calls. ` +
          `Callers: ${callerList.map((c) => `${c.function} ${c.pct}%`).join(', ')}.`,
        estimatedImpact: {
          pct: saved,
          basis:
            'share of non-idle CPU reaching the function through all but its largest caller: what calling it from one path would save',
        },
      });
    }
    return findings.sort((a, b) => b.estimatedImpact.pct - a.estimatedImpact.pct).slice(0, 3);
  },
};
