/**
 * Values for `$n` parameters of a captured statement (captures keep the SQL, not the values): each parameter
 * gets a real value of the column it is compared with, read from the table (`SELECT col … LIMIT 1`), so
 * EXPLAIN ANALYZE runs the statement the way the service does. LIMIT gets 50, OFFSET 0. When a parameter
 * cannot be tied to a column the caller falls back to a generic plan without ANALYZE.
 */
import { loadTables, resolvePredicates, tableKey } from '../catalog.js';
import type { SqlRunner } from '../runner.js';
import { quoteIdent, qualifiedName, type StatementPredicates, type TableRef } from '../sql/predicates.js';

export interface SampledParam {
  value: unknown;
  /** Where it came from, e.g. `orders.customer_id` or `LIMIT`. */
  source: string;
}

const ARRAY_SAMPLE = 20;

export async function sampleParams(
  runner: SqlRunner,
  preds: StatementPredicates,
): Promise<SampledParam[] | null> {
  if (preds.maxParam === 0) return [];
  const tables = await loadTables(runner, [
    ...preds.tables,
    ...preds.predicates.flatMap((p) => (p.table ? [p.table] : p.candidates)),
  ]);
  const resolved = resolvePredicates(preds, tables);
  const out: SampledParam[] = [];
  for (let n = 1; n <= preds.maxParam; n++) {
    if (preds.limitParams.includes(n)) {
      out.push({ value: 50, source: 'LIMIT' });
      continue;
    }
    if (preds.offsetParams.includes(n)) {
      out.push({ value: 0, source: 'OFFSET' });
      continue;
    }
    const pred = resolved.find((p) => p.param === n && p.kind !== 'sort' && p.kind !== 'group');
    const insert = preds.insertParams.find((p) => p.param === n);
    const target: { table: TableRef; column: string; array: boolean } | null = pred
      ? { table: pred.table, column: pred.column, array: !!pred.arrayParam }
      : insert && tables.get(tableKey(insert.table))?.columns.has(insert.column)
        ? { table: insert.table, column: insert.column, array: false }
        : null;
    if (!target) return null;
    const rows = (
      await runner.query<{ v: unknown }>(
        `SELECT ${quoteIdent(target.column)} AS v FROM ${qualifiedName(target.table)} WHERE ${quoteIdent(target.column)} IS NOT NULL LIMIT ${target.array ? ARRAY_SAMPLE : 1}`,
      )
    ).rows;
    if (rows.length === 0) return null;
    out.push({
      value: target.array ? rows.map((r) => r.v) : rows[0].v,
      source: `${tableKey(target.table)}.${target.column}`,
    });
  }
  return out;
}
