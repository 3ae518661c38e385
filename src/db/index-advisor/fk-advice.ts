/**
 * Index advice for foreign-key checks: a DELETE or UPDATE of referenced rows runs, per row, PostgreSQL's RI
 * lookup `SELECT 1 FROM ONLY child x WHERE fk = $1 FOR KEY SHARE OF x` (ri_triggers.c). When the plan's
 * `Trigger for constraint …` time is large, the constraint's referencing columns are read from pg_constraint
 * and that lookup is given to the index advisor, which verifies the candidate with the planner like any other.
 */
import type { Plan } from '../plan/types.js';
import { fkConstraintOf } from '../rules/trigger-time.js';
import type { SqlRunner } from '../runner.js';
import { quoteIdent } from '../sql/predicates.js';
import { adviseIndexes, type AdviseOptions, type IndexAdvice } from './advise.js';

export interface FkAdvice extends IndexAdvice {
  constraint: string;
  /** The RI lookup the index was verified on. */
  lookup: string;
}

export async function fkIndexAdvice(
  runner: SqlRunner,
  plan: Plan,
  options: AdviseOptions & { minTriggerMs?: number } = {},
): Promise<FkAdvice[]> {
  const op = plan.root.operation;
  if (op !== 'Delete' && op !== 'Update') return [];
  const out: FkAdvice[] = [];
  for (const t of plan.triggers) {
    const constraint = fkConstraintOf(t);
    if (!constraint || t.timeMs < (options.minTriggerMs ?? 10)) continue;
    const r = await runner.query<{ schema: string; child: string; cols: string[] }>(
      `SELECT n.nspname AS schema, cl.relname AS child,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS cols
         FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
         JOIN pg_class parent ON parent.oid = c.confrelid
        WHERE c.contype = 'f' AND c.conname = $1 AND ($2::text IS NULL OR parent.relname = $2)`,
      [constraint, plan.root.relation],
    );
    const row = r.rows[0];
    if (!row) continue;
    const where = row.cols.map((c, i) => `x.${quoteIdent(c)} = $${i + 1}`).join(' AND ');
    const lookup = `SELECT 1 FROM ONLY ${quoteIdent(row.schema)}.${quoteIdent(row.child)} x WHERE ${where}`;
    const res = await adviseIndexes(runner, lookup, options);
    const best = res.advice.find((a) => a.columns.join() === row.cols.join()) ?? res.advice[0];
    if (best) out.push({ ...best, constraint, lookup });
  }
  return out;
}
