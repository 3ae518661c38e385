/** db.jit-dominant: compiling the query with JIT took a large share of a statement that runs fast anyway. */
import type { PlanNode } from '../plan/types.js';
import { fmtMs, planFinding, round1 } from './common.js';

/** Processes that ran the plan: the leader plus the most workers any Gather launched. */
function jitProcesses(nodes: readonly PlanNode[]): number {
  let workers = 0;
  for (const n of nodes)
    if (n.nodeType === 'Gather' || n.nodeType === 'Gather Merge')
      workers = Math.max(workers, n.workersLaunched ?? n.workersPlanned ?? 0);
  return workers + 1;
}
import type { PlanRule } from './types.js';

export const jitDominantRule: PlanRule = {
  id: 'db.jit-dominant',
  description: 'JIT compilation takes a large share of the execution time',
  check(ctx) {
    const jit = ctx.plan.jit;
    const exec = ctx.plan.executionMs;
    if (!jit?.totalMs || !exec) return [];
    // EXPLAIN sums JIT time over the leader and every parallel worker, which compile at the same time:
    // the wall time is the sum divided by the processes (never more than the execution itself)
    const processes = jitProcesses(ctx.plan.nodes);
    const wallMs = Math.min(exec, jit.totalMs / processes);
    const share = wallMs / exec;
    if (share < ctx.options.jitShare || wallMs < ctx.options.jitMinMs) return [];
    return [
      planFinding(ctx, {
        rule: this.id,
        node: null,
        title: `JIT compilation took ${fmtMs(wallMs)} of ${fmtMs(exec)} execution (${round1(share * 100)}%)${processes > 1 ? `: ${fmtMs(jit.totalMs)} summed over ${processes} processes` : ''}`,
        evidence: {
          jit,
          executionMs: exec,
          jitShare: round1(share * 100),
          jitWallMs: round1(wallMs),
          processes,
          functions: jit.functions,
          rootCost: ctx.plan.root.totalCost,
        },
        recommendation: `The plan’s cost (${ctx.plan.root.totalCost ?? '?'}) crosses jit_above_cost but the work is too small to pay for compiling: raise jit_above_cost / jit_inline_above_cost / jit_optimize_above_cost (or SET jit = off for this workload).`,
        savingMs: wallMs,
        basis:
          'JIT time (generation, inlining, optimization, emission) summed over processes ÷ processes, over the statement’s time',
      }),
    ];
  },
};
