/** db.heap-fetches: an index-only scan that still visits the table, because the visibility map is stale. */
import { nodeName } from '../plan/types.js';
import { fmtInt, planFinding, round3, totalRows } from './common.js';
import type { PlanRule } from './types.js';

export const heapFetchesRule: PlanRule = {
  id: 'db.heap-fetches',
  description: 'index-only scan fetching heap pages (visibility map not up to date)',
  check(ctx) {
    const o = ctx.options;
    return ctx.plan.nodes
      .filter((n) => n.nodeType === 'Index Only Scan' && n.actual)
      .flatMap((n) => {
        // Heap Fetches is a total over all loops (not a per-loop average).
        const fetches = Number(n.props['Heap Fetches'] ?? 0);
        const rows = totalRows(n);
        const share = rows > 0 ? Math.min(1, fetches / rows) : 0;
        if (fetches < o.heapFetchesMin || share < o.heapFetchesShare) return [];
        return [
          planFinding(ctx, {
            rule: this.id,
            node: n,
            title: `${nodeName(n)} fetched ${fmtInt(fetches)} heap tuples for ${fmtInt(rows)} rows: not index-only`,
            evidence: {
              heapFetches: fetches,
              rows,
              fetchShare: round3(share),
              relation: n.relation,
              index: n.indexName,
            },
            recommendation: `VACUUM ${n.relation ?? 'the table'} (or tune its autovacuum to run more often) so the visibility map marks pages all-visible and the scan stops visiting the table.`,
            savingMs: n.exclusiveMs === null ? null : n.exclusiveMs * share,
            basis:
              'upper bound: the scan’s exclusive time × the share of rows fetched from the heap, over the statement’s time',
          }),
        ];
      });
  },
};
