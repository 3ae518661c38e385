import { categoryShareRule, listed } from './category-share.js';

/** Unexpected finding: logging takes a visible share of CPU (synchronous writes, pretty-printing, too many lines). */
export const logging = categoryShareRule({
  id: 'cpu.logging',
  category: 'logging',
  minPct: 5,
  impactFactor: 0.8,
  basis: 'most of the logging share of non-idle CPU: asynchronous, leaner logging keeps little of it',
  title: (pct) => `Logging takes ${pct}% of CPU time`,
  recommendation: ({ callers, functions, action }) =>
    `${action}.${callers.length ? ` Logged from ${listed(callers)}.` : ''}${functions.length ? ` Logging functions: ${listed(functions)}.` : ''}`,
});
