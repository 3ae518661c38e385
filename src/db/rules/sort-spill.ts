/** db.sort-spill: a sort that did not fit in work_mem and went to disk (external merge / external sort). */
import { nodeName } from '../plan/types.js';
import { planFinding } from './common.js';
import type { PlanRule } from './types.js';

export const sortSpillRule: PlanRule = {
  id: 'db.sort-spill',
  description: 'sort spilling to disk (Sort Method: external merge, Sort Space Type: Disk)',
  check(ctx) {
    return ctx.plan.nodes
      .filter((n) => /Sort$/.test(n.nodeType))
      .flatMap((n) => {
        const workerDisk = n.workers
          .map((w) => (w.props['Sort Space Type'] === 'Disk' ? Number(w.props['Sort Space Used'] ?? 0) : 0))
          .reduce((a, b) => a + b, 0);
        const method = String(
          n.props['Sort Method'] ?? n.workers.find((w) => w.props['Sort Method'])?.props['Sort Method'] ?? '',
        );
        const onDisk = n.props['Sort Space Type'] === 'Disk' || /^external/.test(method) || workerDisk > 0;
        if (!onDisk) return [];
        const diskKb =
          (n.props['Sort Space Type'] === 'Disk' ? Number(n.props['Sort Space Used'] ?? 0) : 0) + workerDisk;
        const workMem = ctx.plan.settings.work_mem ?? null;
        const suggestMb = Math.max(4, Math.ceil((diskKb * 2) / 1024));
        return [
          planFinding(ctx, {
            rule: this.id,
            node: n,
            title: `${nodeName(n)} spills ${Math.round(diskKb / 1024) || '<1'} MB to disk (${method || 'external sort'})`,
            evidence: {
              sortMethod: method || null,
              diskKb,
              sortKey: n.props['Sort Key'] ?? null,
              workMem,
              tempWrittenBlocks: n.buffers?.tempWritten ?? null,
            },
            recommendation:
              `Give this sort memory: \`SET LOCAL work_mem = '${suggestMb}MB'\` for the statement (about twice the ${Math.round(diskKb / 1024) || '<1'} MB it spilled), ` +
              'or avoid the sort with an index matching the ORDER BY, or sort fewer rows (LIMIT, narrower SELECT list).',
            savingMs: n.exclusiveMs,
            basis:
              'upper bound: the sort node’s exclusive time (an in-memory sort removes the disk passes), over the statement’s time',
          }),
        ];
      });
  },
};
