/**
 * The planner's cost of a statement, without running it: plain EXPLAIN, or — when it has `$n` parameters —
 * the generic plan of a prepared statement (what a driver's prepared statement gets after a few calls),
 * so no parameter values are needed.
 */
import { planFromJsonValue } from '../plan/from-json.js';
import type { Plan } from '../plan/types.js';
import type { SqlRunner } from '../runner.js';

let prepared = 0;

/** Plan without ANALYZE. Must run inside a transaction the caller rolls back (it uses SET LOCAL). */
export async function explainWithoutRunning(runner: SqlRunner, sql: string, maxParam: number): Promise<Plan> {
  if (maxParam === 0) {
    const r = await runner.query<Record<string, unknown>>(`EXPLAIN (FORMAT JSON, SETTINGS) ${sql}`);
    return planFromJsonValue(r.rows[0]);
  }
  const name = `perfloop_generic_${process.pid}_${++prepared}`;
  await runner.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
  await runner.query(`PREPARE ${name} AS ${sql}`);
  try {
    const args = Array.from({ length: maxParam }, () => 'NULL').join(', ');
    const r = await runner.query<Record<string, unknown>>(
      `EXPLAIN (FORMAT JSON, SETTINGS) EXECUTE ${name}(${args})`,
    );
    return planFromJsonValue(r.rows[0]);
  } finally {
    // PREPARE is not transactional: a ROLLBACK would leave it behind.
    await runner.query(`DEALLOCATE ${name}`).catch(() => {});
  }
}

export async function planCost(runner: SqlRunner, sql: string, maxParam: number): Promise<number> {
  const plan = await explainWithoutRunning(runner, sql, maxParam);
  return plan.root.totalCost ?? Number.NaN;
}
