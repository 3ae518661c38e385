/**
 * db.trigger-time: time spent in triggers after the plan ran (EXPLAIN ANALYZE's `Trigger …: time=… calls=…`).
 * Foreign-key checks are triggers too: a DELETE or UPDATE of a referenced (parent) row looks up the referencing
 * rows of every child table, once per row (`Trigger for constraint …`). Without an index on the referencing
 * column each lookup is a sequential scan of the child: the classic slow DELETE.
 */
import type { PlanTrigger } from '../plan/types.js';
import { fmtInt, fmtMs, planFinding, round1 } from './common.js';
import type { PlanRule } from './types.js';

/** The constraint a foreign-key trigger checks (`RI_ConstraintTrigger_…` enforce foreign keys). */
export function fkConstraintOf(t: PlanTrigger): string | null {
  return t.constraint !== null && t.name.startsWith('RI_ConstraintTrigger') ? t.constraint : null;
}

/** Per-call time above which a foreign-key check is not an index probe (it scans the referencing table). */
const FK_CHECK_SLOW_MS = 0.1;

export const triggerTimeRule: PlanRule = {
  id: 'db.trigger-time',
  description: 'triggers (foreign-key checks included) take a large share of the statement',
  check(ctx) {
    const exec = ctx.plan.executionMs ?? ctx.statementMs;
    if (!exec) return [];
    return (
      ctx.plan.triggers
        .filter((t) => t.timeMs >= ctx.options.triggerMinMs && t.timeMs / exec >= ctx.options.triggerShare)
        // an FK check through an index is a probe of a few µs: only slower checks are worth an index
        .filter((t) => !fkConstraintOf(t) || t.timeMs / Math.max(1, t.calls) >= FK_CHECK_SLOW_MS)
        .map((t) => {
          const constraint = fkConstraintOf(t);
          const op = ctx.plan.root.operation;
          const perCall = t.calls > 0 ? t.timeMs / t.calls : null;
          return planFinding(ctx, {
            rule: this.id,
            node: null,
            title: constraint
              ? `Foreign-key checks of ${constraint} took ${fmtMs(t.timeMs)} of ${fmtMs(exec)} (${round1((100 * t.timeMs) / exec)}%), ${fmtInt(t.calls)} calls`
              : `Trigger ${t.name}${t.relation ? ` on ${t.relation}` : ''} took ${fmtMs(t.timeMs)} of ${fmtMs(exec)} (${round1((100 * t.timeMs) / exec)}%), ${fmtInt(t.calls)} calls`,
            evidence: {
              trigger: t.name,
              constraint,
              relation: t.relation,
              timeMs: t.timeMs,
              calls: t.calls,
              perCallMs: perCall === null ? null : Math.round(perCall * 1000) / 1000,
              executionMs: exec,
              operation: op,
            },
            recommendation: constraint
              ? op === 'Delete' || op === 'Update'
                ? `Each ${op.toUpperCase()}d row makes PostgreSQL look up the rows that reference it through ${constraint}: index the referencing column(s) of that constraint on the child table (see the verified index advice with --db), so each check is an index probe instead of a scan.`
                : `The checks of ${constraint} look up the referenced row for each row written: make sure the referenced key is indexed, or write in fewer, larger statements.`
              : `The trigger runs ${fmtInt(t.calls)} times (${perCall === null ? '?' : fmtMs(perCall)} each): make its body cheaper, make it a statement-level trigger (FOR EACH STATEMENT with transition tables), or drop it if another mechanism does the same work.`,
            savingMs: t.timeMs,
            basis: 'the trigger’s time (an indexed FK check costs ~0), over the statement’s time',
          });
        })
    );
  },
};
