/**
 * Verified index advice: each candidate index is shown to the planner and kept only if the statement's plan
 * cost falls to half or less. With the `hypopg` extension the index is hypothetical (nothing is built);
 * without it, the index is really built inside a transaction that is rolled back (it exists only for that
 * transaction: the table is locked against writes while it builds, so this path suits test and staging
 * databases, and is bounded by statement_timeout). `hypopg` is created only when the caller allows it.
 */
import { isPerfloopError, PerfloopError } from '../../core/errors.js';
import { existingIndexes, hypopgState, loadTables, resolvePredicates, tableKey } from '../catalog.js';
import { planCost } from '../explain/plan-cost.js';
import { inTransaction } from '../explain/run-explain.js';
import type { SqlRunner } from '../runner.js';
import { qualifiedName, quoteIdent, statementPredicates, type TableRef } from '../sql/predicates.js';
import { coveredBy, indexCandidates, type IndexCandidate } from './candidates.js';

export interface IndexAdvice {
  table: string;
  columns: string[];
  /** `CREATE INDEX CONCURRENTLY …;` ready to run. */
  sql: string;
  /** Planner cost of the statement without / with the index. */
  costBefore: number;
  costAfter: number;
  /** How it was verified: a hypothetical index (hypopg) or a real one rolled back. */
  method: 'hypopg' | 'rollback';
}

export interface AdviseOptions {
  /** May run CREATE EXTENSION hypopg when the server has it but the database does not (default false). */
  allowExtension?: boolean;
  /** Keep a candidate only if it divides the cost by at least this (default 2). */
  minCostFactor?: number;
  /** A two-column index must beat the best single column by this factor too (default 1.1). */
  pairGain?: number;
  /** Candidates tried at most (default 40). */
  maxCandidates?: number;
  timeoutMs?: number;
  /** Verification method: `auto` (hypopg when installed, else rollback) or forced (default auto). */
  method?: 'auto' | 'hypopg' | 'rollback';
}

export interface AdviceResult {
  advice: IndexAdvice[];
  method: 'hypopg' | 'rollback' | null;
  /** Candidates considered and why each was kept or dropped (for --json and debugging). */
  considered: { table: string; columns: string[]; costAfter: number | null; verdict: string }[];
}

export async function adviseIndexes(
  runner: SqlRunner,
  sql: string,
  options: AdviseOptions = {},
): Promise<AdviceResult> {
  const preds = statementPredicates(sql);
  if (!preds) throw new PerfloopError('SQL_SYNTAX', 'cannot parse the SQL for index advice');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const minFactor = options.minCostFactor ?? 2;
  const pairGain = options.pairGain ?? 1.1;
  const tables = await loadTables(runner, [
    ...preds.tables,
    ...preds.predicates.flatMap((p) => (p.table ? [p.table] : p.candidates)),
  ]);
  const candidates = indexCandidates(resolvePredicates(preds, tables)).slice(0, options.maxCandidates ?? 40);
  const considered: AdviceResult['considered'] = [];
  if (candidates.length === 0) return { advice: [], method: null, considered };

  const before = await inTransaction(runner, true, timeoutMs, {}, () =>
    planCost(runner, sql, preds.maxParam),
  );
  const method =
    options.method && options.method !== 'auto'
      ? options.method
      : await chooseMethod(runner, options.allowExtension ?? false);
  const indexCache = new Map<string, Awaited<ReturnType<typeof existingIndexes>>>();
  const kept = new Map<string, { c: IndexCandidate; cost: number }[]>();
  for (const c of candidates) {
    const info = tables.get(tableKey(c.table));
    if (!info) continue;
    let indexes = indexCache.get(tableKey(c.table));
    if (!indexes) indexCache.set(tableKey(c.table), (indexes = await existingIndexes(runner, info.oid)));
    const label = { table: tableKey(c.table), columns: c.columns };
    const cover = coveredBy(c, indexes);
    if (cover) {
      considered.push({ ...label, costAfter: null, verdict: `covered by ${cover.name}` });
      continue;
    }
    let cost: number;
    try {
      cost = await costWithIndex(runner, method, c, sql, preds.maxParam, timeoutMs);
    } catch (e) {
      // one candidate that cannot be tried (a lock held by the service, a timeout) does not stop the others
      if (!isPerfloopError(e)) throw e;
      considered.push({ ...label, costAfter: null, verdict: `not verified: ${e.message}` });
      continue;
    }
    const ok = cost * minFactor <= before;
    considered.push({
      ...label,
      costAfter: round2(cost),
      verdict: ok ? 'cuts the cost' : `cost ${round2(cost)} not ≤ ${round2(before)} / ${minFactor}`,
    });
    if (ok) {
      const list = kept.get(tableKey(c.table)) ?? [];
      list.push({ c, cost });
      kept.set(tableKey(c.table), list);
    }
  }
  const advice: IndexAdvice[] = [];
  for (const list of kept.values()) {
    const singles = list.filter((k) => k.c.columns.length === 1).sort((a, b) => a.cost - b.cost);
    const pairs = list.filter((k) => k.c.columns.length > 1).sort((a, b) => a.cost - b.cost);
    let best = singles[0] ?? pairs[0];
    if (singles[0] && pairs[0] && pairs[0].cost * pairGain <= singles[0].cost) best = pairs[0];
    if (!best) continue;
    advice.push({
      table: best.c.table.schema ? `${best.c.table.schema}.${best.c.table.name}` : best.c.table.name,
      columns: best.c.columns,
      sql: createIndexSql(best.c.table, best.c.columns),
      costBefore: round2(before),
      costAfter: round2(best.cost),
      method,
    });
  }
  return { advice: advice.sort((a, b) => a.costAfter - b.costAfter), method, considered };
}

export async function chooseMethod(
  runner: SqlRunner,
  allowExtension: boolean,
): Promise<'hypopg' | 'rollback'> {
  if (runner.kind === 'pglite') return 'rollback';
  const state = await hypopgState(runner).catch(() => 'absent' as const);
  if (state === 'installed') return 'hypopg';
  if (state === 'available' && allowExtension) {
    await runner.query('CREATE EXTENSION IF NOT EXISTS hypopg');
    return 'hypopg';
  }
  return 'rollback';
}

/** The statement's planner cost with the candidate index present (hypothetical, or real and rolled back). */
export async function costWithIndex(
  runner: SqlRunner,
  method: 'hypopg' | 'rollback',
  c: IndexCandidate,
  sql: string,
  maxParam: number,
  timeoutMs: number,
): Promise<number> {
  const include = c.include?.length ? ` INCLUDE (${c.include.map(quoteIdent).join(', ')})` : '';
  const ddl = `CREATE INDEX ON ${qualifiedName(c.table)} (${c.columns.map(quoteIdent).join(', ')})${include}${c.where ? ` WHERE ${c.where}` : ''}`;
  if (method === 'hypopg') {
    // Hypothetical indexes live in this session only; reset right after so nothing leaks into the next try.
    await runner.query('SELECT * FROM hypopg_create_index($1)', [ddl]);
    try {
      return await inTransaction(runner, true, timeoutMs, {}, () => planCost(runner, sql, maxParam));
    } finally {
      await runner.query('SELECT hypopg_reset()').catch(() => {});
    }
  }
  return inTransaction(runner, false, timeoutMs, { lock_timeout: '2000' }, async () => {
    await runner.query(ddl);
    return planCost(runner, sql, maxParam);
  });
}

/** `CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);` (name within 63 bytes). */
export function createIndexSql(
  table: TableRef,
  columns: readonly string[],
  where?: string,
  include: readonly string[] = [],
): string {
  const name = `${table.name}_${columns.join('_')}${where ? '_partial' : ''}_idx`
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 63);
  const inc = include.length ? ` INCLUDE (${include.map(quoteIdent).join(', ')})` : '';
  return `CREATE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${qualifiedName(table)} (${columns.map(quoteIdent).join(', ')})${inc}${where ? ` WHERE ${where}` : ''};`;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
