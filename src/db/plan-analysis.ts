/**
 * Plan analysis: every plan rule over a plan → findings, plus (on a live database) verified index advice.
 * The JSON form is the `perfloop/plan-analysis@1` contract of `perfloop explain --json`.
 */
import { isPerfloopError } from '../core/errors.js';
import { rankFindings, type Finding } from '../core/finding.js';
import {
  adviseIndexes,
  type AdviceResult,
  type AdviseOptions,
  type IndexAdvice,
} from './index-advisor/advise.js';
import { fkIndexAdvice } from './index-advisor/fk-advice.js';
import { missingIndexFindings } from './index-advisor/findings.js';
import { explainStatement, type ExplainOptions, type ExplainResult } from './explain/run-explain.js';
import type { Plan } from './plan/types.js';
import { DEFAULT_PLAN_RULE_OPTIONS, PLAN_RULES, type PlanRuleOptions } from './rules/index.js';
import type { StatementWorkload } from './rules/types.js';
import type { SqlRunner } from './runner.js';

export const PLAN_ANALYSIS_SCHEMA = 'perfloop/plan-analysis@1';
export const EXPLAIN_SCHEMA = 'perfloop/explain@1';

/** One plan of `perfloop explain --json` (perfloop/explain@1). */
export interface ExplainedPlan {
  nodes: number;
  root: {
    type: string;
    label: string;
    relation: string | null;
    totalMs: number | null;
    rows: number | null;
    loops: number | null;
  };
  planningMs: number | null;
  executionMs: number | null;
  findings: Finding[];
  warnings: string[];
}

/** `perfloop explain --json`: one entry per plan of the input, and the verified index advice. */
export interface ExplainDocument {
  schema: typeof EXPLAIN_SCHEMA;
  plans: ExplainedPlan[];
  advice: IndexAdvice[];
  diff?: unknown;
}

export function explainedPlan(
  plan: Plan,
  findings: readonly Finding[],
  warnings: readonly string[],
): ExplainedPlan {
  const r = plan.root;
  return {
    nodes: plan.nodes.length,
    root: {
      type: r.nodeType,
      label: r.label,
      relation: r.relation,
      totalMs: r.actual?.totalMs ?? null,
      rows: r.actual?.rows ?? null,
      loops: r.actual?.loops ?? null,
    },
    planningMs: plan.planningMs,
    executionMs: plan.executionMs,
    findings: [...findings],
    warnings: [...warnings],
  };
}

export interface PlanAnalysis {
  schema: typeof PLAN_ANALYSIS_SCHEMA;
  planningMs: number | null;
  executionMs: number | null;
  findings: Finding[];
  indexAdvice: IndexAdvice[];
}

/**
 * Every plan rule over `plan`, ranked by estimated impact. `workload`: the statement's calls and total time
 * (pg_stat_statements, captures), when known: severity then follows the time over all calls.
 */
export function analysePlan(
  plan: Plan,
  options: Partial<PlanRuleOptions> = {},
  workload: StatementWorkload | null = null,
): Finding[] {
  const opts = { ...DEFAULT_PLAN_RULE_OPTIONS, ...options };
  const statementMs = plan.timed
    ? (plan.planningMs ?? 0) + (plan.executionMs ?? plan.root.inclusiveMs ?? 0)
    : null;
  const ctx = { plan, options: opts, statementMs: statementMs || null, workload };
  return rankFindings(PLAN_RULES.flatMap((r) => r.check(ctx)));
}

export function planAnalysis(
  plan: Plan,
  findings: readonly Finding[],
  indexAdvice: readonly IndexAdvice[] = [],
): PlanAnalysis {
  return {
    schema: PLAN_ANALYSIS_SCHEMA,
    planningMs: plan.planningMs,
    executionMs: plan.executionMs,
    findings: [...findings],
    indexAdvice: [...indexAdvice],
  };
}

export interface ExplainAndAnalyseOptions extends ExplainOptions, AdviseOptions {
  rules?: Partial<PlanRuleOptions>;
  /** Verify index candidates with the planner (default true). */
  indexAdvice?: boolean;
}

export interface ExplainedStatement {
  analysis: PlanAnalysis;
  explain: ExplainResult;
  advice: AdviceResult | null;
}

/** EXPLAIN (ANALYZE) one statement safely, run the plan rules and the index advisor. */
export async function explainAndAnalyse(
  runner: SqlRunner,
  sql: string,
  options: ExplainAndAnalyseOptions = {},
): Promise<ExplainedStatement> {
  const explain = await explainStatement(runner, sql, options);
  const findings = analysePlan(explain.plan, options.rules);
  let advice: AdviceResult | null = null;
  if (options.indexAdvice !== false) {
    try {
      advice = await adviseIndexes(runner, sql, options);
    } catch (e) {
      // the plan analysis stands on its own; a catalog the advisor cannot read only costs the advice
      if (!isPerfloopError(e)) throw e;
      explain.note = [explain.note, `index advice unavailable: ${e.message}`].filter(Boolean).join('; ');
    }
  }
  const fk =
    options.indexAdvice !== false && explain.analyzed ? await fkAdvice(runner, explain, options) : [];
  const all = rankFindings([
    ...findings,
    ...missingIndexFindings(advice?.advice ?? [], { query: sql }),
    ...fk.flatMap((a) => missingIndexFindings([a], { query: a.lookup })),
  ]);
  return { analysis: planAnalysis(explain.plan, all, [...(advice?.advice ?? []), ...fk]), explain, advice };
}

/** Verified indexes for the foreign-key checks that slowed a DELETE/UPDATE (db.trigger-time). */
async function fkAdvice(runner: SqlRunner, explain: ExplainResult, options: ExplainAndAnalyseOptions) {
  try {
    return await fkIndexAdvice(runner, explain.plan, options);
  } catch (e) {
    if (!isPerfloopError(e)) throw e;
    explain.note = [explain.note, `foreign-key index advice unavailable: ${e.message}`]
      .filter(Boolean)
      .join('; ');
    return [];
  }
}
