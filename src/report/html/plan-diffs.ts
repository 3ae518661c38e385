import type { RunRecord } from '../../core/run.js';
import { diffPlans, renderPlanDiff, type PlanDiff } from '../../db/plan/diff.js';
import { parsePlan } from '../../db/plan/index.js';

/** A statement whose plan differs between two runs, with the diff of the two plans. */
export interface StatementPlanChange {
  query: string;
  diff: PlanDiff;
  text: string;
}

/**
 * The plans a run's database section shows, by statement: each slow query's ```sql block and the EXPLAIN plan
 * after it. The section is the run's record of its plans (report.json keeps it as Markdown); perfloop's own
 * node annotations (`[#2 self 14.8 ms, 33.8%]`) are taken off before the plan parser reads the text.
 */
export function statementPlans(r: RunRecord): Map<string, string> {
  const out = new Map<string, string>();
  const md = r.database?.markdown;
  if (!md) return out;
  for (const section of md.split(/^#### /m).slice(1)) {
    // Fences may be longer than three backticks when the text itself holds some.
    const sql = /\*\*Query\*\*:\s*(`{3,})sql\n([\s\S]*?)\n\1/.exec(section)?.[2];
    const plan = /\*\*Execution Plan\*\*[^\n]*\n\s*(`{3,})\n([\s\S]*?)\n\1/.exec(section)?.[2];
    if (sql && plan) out.set(sql.trim(), plan.replace(/\s+\[#\d+ self [^\]]*\]$/gm, ''));
  }
  return out;
}

/** Statements both runs explained whose plans differ (node types, or the node count). */
export function planChanges(before: RunRecord, after: RunRecord): StatementPlanChange[] {
  const a = statementPlans(after);
  const out: StatementPlanChange[] = [];
  for (const [query, planText] of statementPlans(before)) {
    const other = a.get(query);
    if (!other) continue;
    try {
      const diff = diffPlans(parsePlan(planText), parsePlan(other));
      if (diff.nodes.some((n) => n.kind !== 'same')) out.push({ query, diff, text: renderPlanDiff(diff) });
    } catch {
      // A plan the parser cannot read is left out of the diff; the runs' own pages still show it.
    }
  }
  return out;
}
