/** db.hot-node: the node where the statement spends most of its own time (what to look at first). */
import { nodeName } from '../plan/types.js';
import { fmtMs, minSeverity, planFinding, round1 } from './common.js';
import type { PlanRule } from './types.js';
import { severityForPct } from '../../core/finding.js';

export const hotNodeRule: PlanRule = {
  id: 'db.hot-node',
  description: 'the plan node with the most exclusive time',
  check(ctx) {
    if (!ctx.plan.timed || !ctx.statementMs) return [];
    const hottest = [...ctx.plan.nodes].sort((a, b) => (b.exclusiveMs ?? 0) - (a.exclusiveMs ?? 0))[0];
    if (!hottest || !hottest.exclusiveMs) return [];
    const pct = (100 * hottest.exclusiveMs) / ctx.statementMs;
    // Always reported (it is where to look), but loud only on a slow statement: other rules say why.
    const slow = ctx.statementMs >= ctx.options.hotNodeSlowMs;
    return [
      planFinding(ctx, {
        rule: this.id,
        node: hottest,
        title: `Hottest node: ${nodeName(hottest)} — ${fmtMs(hottest.exclusiveMs)} of ${fmtMs(ctx.statementMs)} (${round1(pct)}%)`,
        evidence: {
          exclusivePct: round1(pct),
          actualRows: hottest.actual?.rows ?? null,
          loops: hottest.actual?.loops ?? null,
          processes: hottest.processes,
        },
        recommendation:
          'Start here: this node’s own work is the largest part of the statement’s time; see the other findings for why.',
        savingMs: hottest.exclusiveMs,
        basis: 'the node’s exclusive time, over the statement’s time',
        severity: slow ? minSeverity(severityForPct(pct), 'medium') : 'info',
      }),
    ];
  },
};
