/** db.nested-loop-many: the inner side of a nested loop ran thousands of times (usually a misestimated outer side). */
import { nodeName, type PlanNode } from '../plan/types.js';
import { fmtInt, planFinding, subtreeMs } from './common.js';
import type { PlanRule } from './types.js';

function memoizeStats(m: PlanNode): { hits: number; misses: number } | null {
  const hits = Number(m.props['Cache Hits']);
  const misses = Number(m.props['Cache Misses']);
  return Number.isFinite(hits) && Number.isFinite(misses) ? { hits, misses } : null;
}

export const nestedLoopManyRule: PlanRule = {
  id: 'db.nested-loop-many',
  description: 'nested loop whose inner side is executed ≥ 1,000 times',
  check(ctx) {
    return ctx.plan.nodes
      .filter((n) => n.nodeType === 'Nested Loop')
      .flatMap((n) => {
        const inner = n.children.find((c) => c.parentRelationship === 'Inner') ?? n.children[1];
        if (!inner?.actual || inner.actual.loops < ctx.options.nestedLoopMinLoops) return [];
        // A Memoize answers repeated keys from its cache: the lookups below it run once per miss only
        const memo = inner.nodeType === 'Memoize' ? memoizeStats(inner) : null;
        if (memo && memo.misses < ctx.options.nestedLoopMinLoops) return [];
        const outer = n.children.find(
          (c) => c !== inner && c.parentRelationship !== 'InitPlan' && c.parentRelationship !== 'SubPlan',
        );
        const innerMs = subtreeMs(inner);
        // EXPLAIN rounds per-loop times to 1 µs, so a fast inner side can read 0: its time then shows up in
        // the loop node itself. The saving is the loop without its outer side.
        const loopMs = subtreeMs(n);
        const outerMs = outer ? subtreeMs(outer) : 0;
        const saving = loopMs === null ? null : Math.max(innerMs ?? 0, loopMs - (outerMs ?? 0));
        const seq = inner.nodeType === 'Seq Scan';
        return [
          planFinding(ctx, {
            rule: this.id,
            node: n,
            title: `${nodeName(n)} runs its inner side ${nodeName(inner)} ${fmtInt(inner.actual.loops)} times`,
            evidence: {
              innerLoops: inner.actual.loops,
              inner: { id: inner.id, type: inner.nodeType, label: inner.label },
              innerMs,
              outerRows: outer?.actual ? outer.actual.rows * outer.actual.loops : null,
              ...(memo ? { memoizeHits: memo.hits, memoizeMisses: memo.misses } : {}),
              outerPlanRows: outer?.planRows ?? null,
            },
            recommendation: seq
              ? `The inner side is a sequential scan repeated ${fmtInt(inner.actual.loops)} times: index the join column of ${inner.relation ?? 'the inner table'}, or let PostgreSQL hash-join (check the outer row estimate).`
              : `Check the outer side’s row estimate (a hash or merge join wins at ${fmtInt(inner.actual.loops)} rows); if the estimate is right, make the inner lookup cheaper (covering index) or batch it.`,
            savingMs: saving,
            basis:
              'upper bound: time of the nested loop without its outer side (the inner side over all its loops), over the statement’s time',
          }),
        ];
      });
  },
};
