/** db.hash-spill: a hash join's table or a hash aggregate that outgrew work_mem and was split into batches on disk. */
import { nodeName } from '../plan/types.js';
import { planFinding } from './common.js';
import type { PlanRule } from './types.js';

export const hashSpillRule: PlanRule = {
  id: 'db.hash-spill',
  description: 'hash join with Hash Batches > 1, or a hash aggregate spilling to disk',
  check(ctx) {
    const out = [];
    for (const n of ctx.plan.nodes) {
      const batches = Number(n.props['Hash Batches'] ?? 0);
      if (n.nodeType === 'Hash' && batches > 1) {
        const join = n.parent;
        const saving = (n.exclusiveMs ?? 0) + (join?.exclusiveMs ?? 0);
        const original = Number(n.props['Original Hash Batches'] ?? batches);
        out.push(
          planFinding(ctx, {
            rule: this.id,
            node: n,
            title: `${nodeName(n)} was split into ${batches} batches on disk${original !== batches ? ` (planned ${original})` : ''}`,
            evidence: {
              hashBatches: batches,
              originalHashBatches: original,
              peakMemoryKb: n.props['Peak Memory Usage'] ?? null,
              tempWrittenBlocks: n.buffers?.tempWritten ?? null,
              join: join ? { id: join.id, type: join.nodeType } : null,
              workMem: ctx.plan.settings.work_mem ?? null,
            },
            recommendation: `Raise work_mem (or hash_mem_multiplier) for this statement so the hash table (${n.props['Peak Memory Usage'] ?? '?'} kB per batch × ${batches}) fits in one batch, or hash the smaller side (check the row estimates).`,
            savingMs: ctx.plan.timed ? saving : null,
            basis: 'upper bound: exclusive time of the Hash node and its join, over the statement’s time',
          }),
        );
      }
      const aggBatches = Number(n.props['HashAgg Batches'] ?? 0);
      const disk = Number(n.props['Disk Usage'] ?? 0);
      if (n.nodeType === 'Aggregate' && (aggBatches > 1 || disk > 0)) {
        out.push(
          planFinding(ctx, {
            rule: this.id,
            node: n,
            title: `${nodeName(n)} spilled to disk (${aggBatches} batches, ${Math.round(disk / 1024) || '<1'} MB)`,
            evidence: {
              hashAggBatches: aggBatches,
              diskUsageKb: disk,
              peakMemoryKb: n.props['Peak Memory Usage'] ?? null,
              plannedPartitions: n.props['Planned Partitions'] ?? null,
              workMem: ctx.plan.settings.work_mem ?? null,
            },
            recommendation: `Raise work_mem (or hash_mem_multiplier) for this statement so the ${Math.round(disk / 1024) || '<1'} MB of groups stay in memory, or group fewer rows.`,
            savingMs: n.exclusiveMs,
            basis: 'upper bound: the aggregate’s exclusive time, over the statement’s time',
          }),
        );
      }
    }
    return out;
  },
};
