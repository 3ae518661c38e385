/**
 * EXPLAIN the slowest statements of a run on a live database (PostgreSQL URL or PGlite): plan findings,
 * verified index advice and the plan text for the report. Captured statements carry no parameter values,
 * so `$n` get sample values from the tables (explain/sample-params.ts). Only SELECTs are executed
 * (EXPLAIN ANALYZE, READ ONLY, rolled back) unless `analyzeWrites`; writes are planned without running.
 */
import { isPerfloopError } from '../core/errors.js';
import { explainAndAnalyse, type PlanAnalysis } from './plan-analysis.js';
import { renderPlanText } from './plan/render-text.js';
import type { QueryStats } from './query-stats.js';
import type { SqlRunner } from './runner.js';
import type { SampledParam } from './explain/sample-params.js';
import { classifyStatement } from './explain/statement-kind.js';
import type { PlanRuleOptions } from './rules/types.js';

export interface ExplainedQuery {
  fingerprint: string;
  /** Normal form (`$n`). */
  query: string;
  /** The statement as run (what was explained). */
  example: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  /** Null when the statement could not be explained (see `error`). */
  analysis: PlanAnalysis | null;
  planText: string | null;
  analyzed: boolean;
  params: SampledParam[];
  note: string | null;
  error: string | null;
}

export interface ExplainQueriesOptions {
  /** How many of the slowest statements (by total time) to explain (default 3). */
  top?: number;
  /** Skip statements with less total time than this (ms, default 0). */
  minTotalMs?: number;
  /** Also EXPLAIN ANALYZE INSERT/UPDATE/DELETE/MERGE (in BEGIN … ROLLBACK); default false: planned only. */
  analyzeWrites?: boolean;
  allowExtension?: boolean;
  timeoutMs?: number;
  rules?: Partial<PlanRuleOptions>;
  /**
   * Values the service really bound for a statement (by its text as captured): used instead of values sampled
   * from the tables, so the plan is the one a real call got. `source` says which call, for the report.
   */
  realParams?: (statement: string) => { values: readonly unknown[]; source: string } | undefined;
}

export async function explainSlowestQueries(
  runner: SqlRunner,
  stats: readonly QueryStats[],
  options: ExplainQueriesOptions = {},
): Promise<ExplainedQuery[]> {
  const out: ExplainedQuery[] = [];
  const candidates = [...stats]
    .sort((a, b) => b.totalMs - a.totalMs)
    .filter((s) => s.totalMs >= (options.minTotalMs ?? 0));
  for (const s of candidates) {
    if (out.length >= (options.top ?? 3)) break;
    const base = {
      fingerprint: s.fingerprint,
      query: s.query,
      example: s.example,
      calls: s.calls,
      totalMs: s.totalMs,
      meanMs: s.meanMs,
    };
    let kind;
    try {
      kind = classifyStatement(s.example);
    } catch {
      continue; // BEGIN, SET, DDL, another dialect: nothing to explain
    }
    try {
      const real = options.realParams?.(s.example);
      const r = await explainAndAnalyse(runner, s.example, {
        analyze: kind.readOnly || !!options.analyzeWrites,
        params: real?.values,
        paramsSource: real?.source,
        allowExtension: options.allowExtension,
        timeoutMs: options.timeoutMs,
        rules: options.rules,
      });
      out.push({
        ...base,
        analysis: r.analysis,
        planText: renderPlanText(r.explain.plan),
        analyzed: r.explain.analyzed,
        params: r.explain.params,
        note: r.explain.note,
        error: null,
      });
    } catch (e) {
      if (!isPerfloopError(e)) throw e;
      out.push({
        ...base,
        analysis: null,
        planText: null,
        analyzed: false,
        params: [],
        note: null,
        error: e.message,
      });
    }
  }
  return out;
}
