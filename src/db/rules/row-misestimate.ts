/**
 * db.row-misestimate: the planner expected far fewer (or more) rows than came. Plans are chosen on those
 * numbers, so the join method or order above the node was picked for a different query. Reported where the
 * error starts (no child misestimated in the same direction), severity by the factor.
 */
import type { Severity } from '../../core/finding.js';
import { nodeName, type PlanNode } from '../plan/types.js';
import { fmtInt, minSeverity, planFinding, round1, subtreeMs } from './common.js';
import type { PlanRule } from './types.js';

interface Misestimate {
  node: PlanNode;
  factor: number;
  under: boolean;
}

function misestimate(n: PlanNode): Misestimate | null {
  if (!n.actual || n.planRows === null || n.actual.loops === 0) return null;
  // INSERT/UPDATE/DELETE without RETURNING return no rows, whatever the planner counted to modify
  if (n.nodeType === 'ModifyTable' && n.actual.rows === 0) return null;
  const actual = Math.max(n.actual.rows, 1);
  const planned = Math.max(n.planRows, 1);
  return { node: n, factor: Math.max(actual, planned) / Math.min(actual, planned), under: actual > planned };
}

/**
 * Fewer rows than planned is expected where execution stops early: under a Limit, a Merge Join (stops at the
 * end of the shorter side), the inner side of a semi/anti join (stops at the first match), or the outer side
 * of a hash join whose hash table came back empty (an inner join then stops after the first outer row).
 */
function stopsEarly(n: PlanNode): boolean {
  for (let c: PlanNode = n, p = n.parent; p; c = p, p = p.parent) {
    if (p.nodeType === 'Limit' || p.nodeType === 'Merge Join') return true;
    if (/Semi|Anti/.test(p.joinType ?? '') && c.parentRelationship === 'Inner') return true;
    if (p.nodeType === 'Hash Join' && c.parentRelationship === 'Outer' && emptyHash(p)) return true;
  }
  return false;
}

function emptyHash(join: PlanNode): boolean {
  if (/Left|Full|Anti/.test(join.joinType ?? '')) return false; // these read the outer side to the end
  const hash = join.children.find((k) => k.nodeType === 'Hash');
  return !!hash?.actual && hash.actual.rows === 0;
}

function severityForFactor(f: number): Severity {
  if (f >= 10_000) return 'critical';
  if (f >= 1000) return 'high';
  if (f >= 100) return 'medium';
  return 'low';
}

export const rowMisestimateRule: PlanRule = {
  id: 'db.row-misestimate',
  description: 'actual rows differ from the planner’s estimate by ≥ 10× (severity by factor)',
  check(ctx) {
    const min = ctx.options.misestimateFactor;
    const found = ctx.plan.nodes
      .map(misestimate)
      .filter((m): m is Misestimate => m !== null && m.factor >= min && (m.under || !stopsEarly(m.node)))
      .filter(
        (m) =>
          !m.node.children.some((c) => {
            const cm = misestimate(c);
            return cm !== null && cm.factor >= min && cm.under === m.under;
          }),
      )
      .sort((a, b) => b.factor - a.factor)
      .slice(0, 3);
    return found.map((m) => {
      const n = m.node;
      const consumer = n.parent ?? n;
      const time = subtreeMs(consumer);
      const share = time !== null && ctx.statementMs ? time / ctx.statementMs : 1;
      let severity = severityForFactor(m.factor);
      // A misestimate under a node that costs little cannot have cost much.
      if (share < 0.1) severity = minSeverity(severity, 'low');
      const scan = /Scan/.test(n.nodeType) && n.relation;
      return planFinding(ctx, {
        rule: this.id,
        node: n,
        title: `${nodeName(n)}: ${fmtInt(n.actual!.rows)} rows per loop, planner expected ${fmtInt(n.planRows!)} (${round1(m.factor)}× ${m.under ? 'under' : 'over'}estimated)`,
        evidence: {
          actualRows: n.actual!.rows,
          planRows: n.planRows,
          loops: n.actual!.loops,
          factor: round1(m.factor),
          direction: m.under ? 'under' : 'over',
          ...(typeof n.props.Filter === 'string' ? { filter: n.props.Filter } : {}),
          ...(typeof n.props['Index Cond'] === 'string' ? { indexCond: n.props['Index Cond'] } : {}),
          consumer: { id: consumer.id, type: consumer.nodeType },
        },
        recommendation: scan
          ? `Refresh statistics (ANALYZE ${n.relation}); if the filtered columns are correlated, add extended statistics (CREATE STATISTICS … (dependencies, ndistinct) ON … FROM ${n.relation}) or raise the column's statistics target.`
          : 'Refresh statistics (ANALYZE) of the tables below this node; for correlated join or filter columns add extended statistics (CREATE STATISTICS).',
        savingMs: time,
        basis:
          'upper bound: the time of the node that consumed the estimate (its parent’s subtree), over the statement’s time',
        severity,
      });
    });
  },
};
