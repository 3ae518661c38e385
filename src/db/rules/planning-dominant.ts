/** db.planning-dominant: planning the statement costs more than running it (re-planned on every call). */
import { fmtMs, planFinding } from './common.js';
import type { PlanRule } from './types.js';

export const planningDominantRule: PlanRule = {
  id: 'db.planning-dominant',
  description: 'planning time exceeds execution time',
  check(ctx) {
    const { planningMs, executionMs } = ctx.plan;
    if (planningMs === null || executionMs === null) return [];
    if (planningMs < ctx.options.planningMinMs || planningMs < ctx.options.planningRatio * executionMs)
      return [];
    return [
      planFinding(ctx, {
        rule: this.id,
        node: null,
        title: `Planning takes ${fmtMs(planningMs)}, execution ${fmtMs(executionMs)}`,
        evidence: {
          planningMs,
          executionMs,
          ratio: executionMs > 0 ? Math.round((planningMs / executionMs) * 10) / 10 : null,
          nodes: ctx.plan.nodes.length,
          planningBuffers: ctx.plan.planningBuffers,
        },
        recommendation:
          'Plan once, run many times: use a prepared statement (most drivers do with named/parameterised queries; PgBouncer ≥ 1.21 keeps them in transaction mode). ' +
          'For many-way joins lower join_collapse_limit/from_collapse_limit; for partitioned tables make sure pruning applies (partition key in the WHERE).',
        savingMs: planningMs,
        basis: 'planning time a cached plan avoids, over planning + execution',
      }),
    ];
  },
};
