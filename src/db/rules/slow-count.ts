/** db.slow-count: a count over a large table, computed by reading every row (PostgreSQL keeps no row count). */
import { nodeName, subtree, type PlanNode } from '../plan/types.js';
import { fmtInt, fmtMs, planFinding, subtreeMs, totalRows } from './common.js';
import type { PlanRule } from './types.js';

const COUNT = /\bcount\s*\(/i;

export const slowCountRule: PlanRule = {
  id: 'db.slow-count',
  description: 'count(*) / count(x) over many rows read one by one (Aggregate over a full scan)',
  check(ctx) {
    const o = ctx.options;
    const query = ctx.plan.queryText;
    // Only a count: the query text or the aggregate's Output (VERBOSE) must say count(…); sum(), avg() … over
    // a whole table are not what a stored or estimated count replaces.
    const counts = (n: PlanNode) => {
      const out = n.props.Output;
      const outText = Array.isArray(out) ? out.join(', ') : typeof out === 'string' ? out : null;
      if (outText !== null) return COUNT.test(outText);
      return query !== null && COUNT.test(query);
    };
    const aggs = ctx.plan.nodes.filter(
      (n) =>
        n.nodeType === 'Aggregate' &&
        counts(n) &&
        (n.strategy === 'Plain' || n.strategy === null) &&
        n.partialMode !== 'Partial' &&
        n.actual &&
        n.actual.rows <= 1,
    );
    return aggs.flatMap((n) => {
      const scans = subtree(n).filter((x) =>
        /^(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)$/.test(x.nodeType),
      );
      // loops count every process under a Gather, so rows × loops is the total read
      const rows = scans.reduce((s, x) => s + totalRows(x), 0);
      const time = subtreeMs(n);
      if (rows < o.slowCountMinRows || time === null || time < o.slowCountMs) return [];
      const rel = scans[0]?.relation ?? 'the table';
      return [
        planFinding(ctx, {
          rule: this.id,
          node: n,
          title: `${nodeName(n)} counts ${fmtInt(rows)} rows of ${rel} one by one (${fmtMs(time)})`,
          evidence: {
            rowsCounted: rows,
            countMs: time,
            scans: scans.map((s) => ({ id: s.id, type: s.nodeType, relation: s.relation })),
          },
          recommendation:
            `PostgreSQL has no stored row count: an exact count(*) reads every row. If an estimate will do, read pg_class.reltuples for ${rel} ` +
            '(or EXPLAIN’s row estimate for a filtered count); if it must be exact and frequent, keep a counter table updated by a trigger, or cache the result.',
          savingMs: time,
          basis:
            'the count’s subtree time (an estimate or a maintained counter costs ~0), over the statement’s time',
        }),
      ];
    });
  },
};
