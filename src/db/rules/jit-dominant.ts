/** db.jit-dominant: compiling the query with JIT took a large share of a statement that runs fast anyway. */
import { fmtMs, planFinding, round1 } from './common.js';
import type { PlanRule } from './types.js';

export const jitDominantRule: PlanRule = {
  id: 'db.jit-dominant',
  description: 'JIT compilation takes a large share of the execution time',
  check(ctx) {
    const jit = ctx.plan.jit;
    const exec = ctx.plan.executionMs;
    if (!jit?.totalMs || !exec) return [];
    const share = jit.totalMs / exec;
    if (share < ctx.options.jitShare || jit.totalMs < ctx.options.jitMinMs) return [];
    return [
      planFinding(ctx, {
        rule: this.id,
        node: null,
        title: `JIT compilation took ${fmtMs(jit.totalMs)} of ${fmtMs(exec)} execution (${round1(share * 100)}%)`,
        evidence: {
          jit,
          executionMs: exec,
          jitShare: round1(share * 100),
          functions: jit.functions,
          rootCost: ctx.plan.root.totalCost,
        },
        recommendation: `The plan’s cost (${ctx.plan.root.totalCost ?? '?'}) crosses jit_above_cost but the work is too small to pay for compiling: raise jit_above_cost / jit_inline_above_cost / jit_optimize_above_cost (or SET jit = off for this workload).`,
        savingMs: jit.totalMs,
        basis: 'JIT time (generation, inlining, optimization, emission), over the statement’s time',
      }),
    ];
  },
};
