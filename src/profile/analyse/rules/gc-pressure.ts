import { categoryShareRule, listed } from './category-share.js';

/** Unexpected finding: the garbage collector takes a large share — the code allocates too much. */
export const gcPressure = categoryShareRule({
  id: 'cpu.gc-pressure',
  category: 'gc',
  minPct: 10,
  impactFactor: 0.5,
  basis: 'half of the garbage collector’s share of non-idle CPU: allocating less rarely removes all of it',
  title: (pct) => `Garbage collection takes ${pct}% of CPU time`,
  recommendation: ({ callers, action }) =>
    `${action}.${callers.length ? ` Allocation-heavy callers: ${listed(callers)}.` : ' Take a heap sampling profile (perfloop heap) to see which functions allocate most.'}`,
});
