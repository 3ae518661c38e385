/** db.missing-index: one finding per verified index advice. */
import { severityForPct, type Finding } from '../../core/finding.js';
import type { IndexAdvice } from './advise.js';

export interface MissingIndexContext {
  /** The statement the advice is for (shown in evidence). */
  query?: string;
  /** Share (0–100) of the run's or statement's time the statement takes; scales the impact. */
  statementSharePct?: number;
}

export function missingIndexFindings(
  advice: readonly IndexAdvice[],
  ctx: MissingIndexContext = {},
): Finding[] {
  return advice.map((a) => {
    const cut = a.costBefore > 0 ? 1 - a.costAfter / a.costBefore : 0;
    const share = ctx.statementSharePct ?? 100;
    const pct = Math.round(cut * share * 10) / 10;
    const factor = a.costAfter > 0 ? a.costBefore / a.costAfter : Infinity;
    return {
      rule: 'db.missing-index',
      area: 'db',
      severity: severityForPct(pct),
      title: `Missing index on ${a.table} (${a.columns.join(', ')}): planner cost ${a.costBefore} → ${a.costAfter}${Number.isFinite(factor) ? ` (${Math.round(factor * 10) / 10}× lower)` : ''}`,
      evidence: {
        table: a.table,
        columns: a.columns,
        costBefore: a.costBefore,
        costAfter: a.costAfter,
        verifiedWith:
          a.method === 'hypopg'
            ? 'hypothetical index (hypopg)'
            : 'real index built in a rolled-back transaction',
        ...(ctx.query ? { query: ctx.query.slice(0, 400) } : {}),
      },
      recommendation: `${a.sql} (CONCURRENTLY builds it without blocking writes; run it outside a transaction block).`,
      estimatedImpact: {
        pct,
        basis:
          ctx.statementSharePct !== undefined
            ? 'planner cost reduction × the statement’s share of the time'
            : 'planner cost reduction of the statement',
      },
    } satisfies Finding;
  });
}
