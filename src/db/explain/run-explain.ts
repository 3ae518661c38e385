/**
 * `EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON)` of one statement on a live database, safely:
 * one statement only; a SELECT in a READ ONLY transaction, anything else in BEGIN … ROLLBACK; a
 * statement_timeout; never a COMMIT. (Sequences advanced by an INSERT are not given back: PostgreSQL
 * sequences are not transactional.)
 */
import { PerfloopError } from '../../core/errors.js';
import { planFromJsonValue } from '../plan/from-json.js';
import type { Plan } from '../plan/types.js';
import type { SqlRunner } from '../runner.js';
import { statementPredicates } from '../sql/predicates.js';
import { explainWithoutRunning } from './plan-cost.js';
import { sampleParams, type SampledParam } from './sample-params.js';
import { classifyStatement, type StatementKind } from './statement-kind.js';

export interface ExplainOptions {
  /** Run the statement (EXPLAIN ANALYZE); default true. False: the plan only, nothing runs. */
  analyze?: boolean;
  /** Values for $1…$n; when absent they are sampled from the tables (see sample-params.ts). */
  params?: readonly unknown[];
  /** Where `params` came from, for the report (default: `--param N`). */
  paramsSource?: string;
  /** statement_timeout for the EXPLAIN (default 30 s). */
  timeoutMs?: number;
  /** Settings for this statement only (SET LOCAL), e.g. { work_mem: '64kB' }. */
  settings?: Readonly<Record<string, string>>;
}

export interface ExplainResult {
  plan: Plan;
  statement: StatementKind;
  /** The statement was executed (ANALYZE) — inside a transaction that was rolled back. */
  analyzed: boolean;
  /** Values bound to $n, and where sampled ones came from. */
  params: SampledParam[];
  /** Why the plan is not analysed although ANALYZE was asked for (e.g. parameters without values). */
  note: string | null;
}

export async function explainStatement(
  runner: SqlRunner,
  sql: string,
  options: ExplainOptions = {},
): Promise<ExplainResult> {
  const statement = classifyStatement(sql);
  const preds = statementPredicates(sql);
  const maxParam = preds?.maxParam ?? 0;
  const timeoutMs = Math.max(1, Math.round(options.timeoutMs ?? 30_000));
  let analyze = options.analyze ?? true;
  let note: string | null = null;
  let params: SampledParam[] = [];
  if (maxParam > 0) {
    if (options.params) {
      if (options.params.length < maxParam)
        throw new PerfloopError(
          'SQL_PARAMS',
          `the statement uses $${maxParam} but ${options.params.length} value(s) were given`,
          { hint: 'give one --param per $n' },
        );
      params = options.params
        .slice(0, maxParam)
        .map((value, i) => ({ value, source: options.paramsSource ?? `--param ${i + 1}` }));
    } else if (analyze) {
      const sampled = preds
        ? await inTransaction(runner, true, timeoutMs, {}, () => sampleParams(runner, preds))
        : null;
      if (sampled) params = sampled;
      else {
        analyze = false;
        note =
          'parameters could not be tied to table columns: generic plan without ANALYZE (give values with --param)';
      }
    }
  }
  const plan = await inTransaction(
    runner,
    statement.readOnly || !analyze,
    timeoutMs,
    options.settings ?? {},
    async () => {
      if (!analyze && params.length === 0) return explainWithoutRunning(runner, sql, maxParam);
      const options = analyze ? 'ANALYZE, BUFFERS, SETTINGS, FORMAT JSON' : 'SETTINGS, FORMAT JSON';
      const r = await runner.query<Record<string, unknown>>(
        `EXPLAIN (${options}) ${sql}`,
        params.map((p) => p.value),
      );
      const plan = planFromJsonValue(r.rows[0]);
      await settlePlanningTime(runner, sql, params, plan);
      return plan;
    },
  );
  plan.queryText = sql;
  return { plan, statement, analyzed: analyze, params, note };
}

/**
 * One planning can be slowed by things that are not the statement (a descheduled process, a cold catalog
 * cache). When planning looks notable, plan again twice without executing and keep the fastest: the
 * planning time the statement itself costs.
 */
async function settlePlanningTime(
  runner: SqlRunner,
  sql: string,
  params: SampledParam[],
  plan: Plan,
): Promise<void> {
  if (plan.planningMs === null || plan.planningMs < PLANNING_RECHECK_MS) return;
  for (let i = 0; i < 2; i++) {
    const r = await runner.query<Record<string, unknown>>(
      `EXPLAIN (SUMMARY ON, FORMAT JSON) ${sql}`,
      params.map((p) => p.value),
    );
    const again = planFromJsonValue(r.rows[0]).planningMs;
    if (again !== null && again < plan.planningMs) plan.planningMs = again;
  }
}

const PLANNING_RECHECK_MS = 1;

/**
 * Runs `work` in a transaction that is always rolled back. READ ONLY when asked (a SELECT, or a plan that
 * does not execute the statement).
 */
export async function inTransaction<T>(
  runner: SqlRunner,
  readOnly: boolean,
  timeoutMs: number,
  settings: Readonly<Record<string, string>>,
  work: () => Promise<T>,
): Promise<T> {
  await runner.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
  try {
    await runner.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
    for (const [k, v] of Object.entries(settings))
      await runner.query(`SELECT set_config($1, $2, true)`, [k, v]);
    return await work();
  } finally {
    await runner.query('ROLLBACK').catch(() => {});
  }
}
