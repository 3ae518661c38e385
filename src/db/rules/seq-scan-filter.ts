/** db.seq-scan-filter: a sequential scan reads a table to throw most of it away (a missing index, usually). */
import { nodeName } from '../plan/types.js';
import { fmtInt, fmtMs, planFinding, round3, subtreeMs, totalRemoved, totalRows } from './common.js';
import type { PlanRule } from './types.js';

export const seqScanFilterRule: PlanRule = {
  id: 'db.seq-scan-filter',
  description: 'sequential scan discarding most of the rows it reads (Rows Removed by Filter, with loops)',
  check(ctx) {
    const o = ctx.options;
    return ctx.plan.nodes
      .filter((n) => n.nodeType === 'Seq Scan' && n.actual && typeof n.props.Filter === 'string')
      .flatMap((n) => {
        const removed = totalRemoved(n, 'Rows Removed by Filter');
        const kept = totalRows(n);
        const share = removed + kept > 0 ? removed / (removed + kept) : 0;
        if (removed < o.seqScanMinRemovedRows || share < o.seqScanMinRemovedShare) return [];
        const time = subtreeMs(n);
        const saving = time === null ? null : time * share;
        return [
          planFinding(ctx, {
            rule: this.id,
            node: n,
            title: `${nodeName(n)} reads ${fmtInt(removed + kept)} rows to keep ${fmtInt(kept)} (${(share * 100).toFixed(1)}% discarded by the filter)`,
            evidence: {
              filter: n.props.Filter,
              rowsRemovedByFilter: removed,
              rowsReturned: kept,
              loops: n.actual!.loops,
              discardedShare: round3(share),
              planRows: n.planRows,
            },
            recommendation: `An index on the filtered column(s) of ${n.relation ?? 'the table'} lets PostgreSQL read only the matching rows (filter: ${String(n.props.Filter).slice(0, 160)}); see the verified index advice.`,
            savingMs: saving,
            basis: `upper bound: the scan's time (${fmtMs(time)}) × the share of rows it discards, over the statement's time`,
          }),
        ];
      });
  },
};
