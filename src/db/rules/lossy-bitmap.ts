/** db.lossy-bitmap: a bitmap heap scan whose bitmap outgrew work_mem and went lossy (whole pages rechecked). */
import { nodeName } from '../plan/types.js';
import { fmtInt, planFinding, round3, totalRemoved } from './common.js';
import type { PlanRule } from './types.js';

export const lossyBitmapRule: PlanRule = {
  id: 'db.lossy-bitmap',
  description: 'bitmap heap scan with lossy heap blocks (rows rechecked page by page)',
  check(ctx) {
    return ctx.plan.nodes
      .filter((n) => n.nodeType === 'Bitmap Heap Scan' && Number(n.props['Lossy Heap Blocks'] ?? 0) > 0)
      .map((n) => {
        const lossy = Number(n.props['Lossy Heap Blocks']);
        const exact = Number(n.props['Exact Heap Blocks'] ?? 0);
        const share = lossy / (lossy + exact);
        return planFinding(ctx, {
          rule: this.id,
          node: n,
          title: `${nodeName(n)}: ${fmtInt(lossy)} of ${fmtInt(lossy + exact)} heap blocks lossy (bitmap did not fit in work_mem)`,
          evidence: {
            lossyHeapBlocks: lossy,
            exactHeapBlocks: exact,
            lossyShare: round3(share),
            rowsRemovedByIndexRecheck: totalRemoved(n, 'Rows Removed by Index Recheck'),
            recheckCond: n.props['Recheck Cond'] ?? null,
            workMem: ctx.plan.settings.work_mem ?? null,
          },
          recommendation:
            'Raise work_mem for this statement so the bitmap stays exact (one bit per row, not per page), or make the condition more selective.',
          savingMs: n.exclusiveMs === null ? null : n.exclusiveMs * share,
          basis:
            'upper bound: the scan’s exclusive time × the share of lossy blocks, over the statement’s time',
        });
      });
  },
};
