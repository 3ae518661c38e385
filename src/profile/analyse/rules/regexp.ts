import { categoryShareRule, listed } from './category-share.js';

/** Unexpected finding: regular expressions take a visible share (backtracking, recompiling in a loop). */
export const regexp = categoryShareRule({
  id: 'cpu.regexp',
  category: 'regexp',
  minPct: 5,
  impactFactor: 0.7,
  basis:
    'most of the regular-expression share of non-idle CPU: a simpler or precompiled pattern, or a plain string search, keeps little of it',
  title: (pct) => `Regular expressions take ${pct}% of CPU time`,
  recommendation: ({ callers, functions, action }) =>
    `${action}.${callers.length ? ` Used from ${listed(callers)}.` : ''}${functions.length ? ` Functions: ${listed(functions)}.` : ''}`,
});
