import { rankFindings, type Finding } from '../core/finding.js';

/**
 * The approval gate's Remaining Opportunities: open findings ranked by estimated gain, with effort judged
 * by the kind of fix each rule asks for (an index or a bound is a one-line change; an N+1 or a serializer
 * is a code change; a recursion is an algorithm change) and a priority from gain and effort together.
 */
export type Level = 'H' | 'M' | 'L';

const LOW_EFFORT = new Set([
  'db.missing-index',
  'db.seq-scan-filter',
  'db.sort-spill',
  'db.hash-spill',
  'db.pool-saturation',
  'db.workers-not-launched',
  'cpu.logging',
  'cpu.sync-io',
  'memory.unbounded-collection',
  'memory.timer-leak',
  'memory.listener-leak',
]);
const HIGH_EFFORT = new Set([
  'cpu.deep-recursion',
  'memory.global-growth',
  'http.latency-budget',
  'db.row-misestimate',
]);

export function effortOf(rule: string): Level {
  return LOW_EFFORT.has(rule) ? 'L' : HIGH_EFFORT.has(rule) ? 'H' : 'M';
}

export function priorityOf(gainPct: number, effort: Level): Level {
  if (gainPct >= 20 || (gainPct >= 8 && effort === 'L')) return 'H';
  if (gainPct >= 8 || (gainPct >= 2 && effort !== 'H')) return 'M';
  return 'L';
}

export interface Opportunity {
  title: string;
  rule: string;
  potentialGainPct: number;
  basis: string;
  effort: Level;
  priority: Level;
}

export function opportunities(findings: readonly Finding[], limit = 8): Opportunity[] {
  const rank: Record<Level, number> = { H: 0, M: 1, L: 2 };
  return rankFindings(findings)
    .filter((f) => f.severity !== 'info')
    .map((f) => {
      const effort = effortOf(f.rule);
      return {
        title: f.title,
        rule: f.rule,
        potentialGainPct: f.estimatedImpact.pct,
        basis: f.estimatedImpact.basis,
        effort,
        priority: priorityOf(f.estimatedImpact.pct, effort),
      };
    })
    .sort((a, b) => rank[a.priority] - rank[b.priority] || b.potentialGainPct - a.potentialGainPct)
    .slice(0, limit);
}

/** Where a finding points, from its evidence (route, function, table, file), for the Component column. */
export function findingComponent(f: Finding): string | null {
  const e = f.evidence;
  const s = (k: string) => (typeof e[k] === 'string' && e[k] ? (e[k] as string) : null);
  const fn = s('function');
  const file = s('file');
  return (
    s('route') ??
    s('endpoint') ??
    (fn ? `${fn}${file ? ` (${file.split('/').slice(-2).join('/')})` : ''}` : null) ??
    s('table') ??
    s('relation') ??
    s('category') ??
    null
  );
}
