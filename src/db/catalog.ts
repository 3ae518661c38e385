/** What the advisor and the explainer need to know from the system catalogs (read-only queries). */
import type { SqlRunner } from './runner.js';
import {
  qualifiedName,
  type ColumnPredicate,
  type StatementPredicates,
  type TableRef,
} from './sql/predicates.js';

export interface TableInfo {
  ref: TableRef;
  oid: number;
  schema: string;
  name: string;
  columns: Set<string>;
}

export interface ExistingIndex {
  name: string;
  /** Key columns in order; null for an expression. */
  columns: (string | null)[];
  method: string;
  partial: boolean;
  unique: boolean;
}

/** Tables the statement names that exist and are visible (search_path respected), with their columns. */
export async function loadTables(
  runner: SqlRunner,
  refs: readonly TableRef[],
): Promise<Map<string, TableInfo>> {
  const out = new Map<string, TableInfo>();
  for (const ref of refs) {
    const key = tableKey(ref);
    if (out.has(key)) continue;
    const rows = (
      await runner.query<{ oid: number; schema: string; name: string; relkind: string; columns: string[] }>(
        `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
                ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.oid = to_regclass($1)`,
        [qualifiedName(ref)],
      )
    ).rows;
    const r = rows[0];
    // Plain and partitioned tables and materialized views can be indexed.
    if (r && ['r', 'p', 'm'].includes(r.relkind))
      out.set(key, { ref, oid: r.oid, schema: r.schema, name: r.name, columns: new Set(r.columns) });
  }
  return out;
}

/** Gives unqualified columns the one table in scope that has them; drops columns no table has. */
export function resolvePredicates(
  preds: StatementPredicates,
  tables: Map<string, TableInfo>,
): (ColumnPredicate & { table: TableRef })[] {
  const out: (ColumnPredicate & { table: TableRef })[] = [];
  for (const p of preds.predicates) {
    if (p.table) {
      const t = tables.get(tableKey(p.table));
      if (t?.columns.has(p.column)) out.push({ ...p, table: p.table });
      continue;
    }
    const owners = p.candidates.filter((c) => tables.get(tableKey(c))?.columns.has(p.column));
    const unique = [...new Map(owners.map((o) => [tableKey(o), o])).values()];
    if (p.kind === 'join') for (const o of unique) out.push({ ...p, table: o });
    else if (unique.length === 1) out.push({ ...p, table: unique[0] });
  }
  return out;
}

export async function existingIndexes(runner: SqlRunner, tableOid: number): Promise<ExistingIndex[]> {
  const rows = (
    await runner.query<{
      name: string;
      method: string;
      partial: boolean;
      unique: boolean;
      columns: (string | null)[];
    }>(
      `SELECT i.relname AS name, am.amname AS method, ix.indpred IS NOT NULL AS partial, ix.indisunique AS unique,
              ARRAY(SELECT CASE WHEN k.attnum = 0 THEN NULL ELSE a.attname::text END
                      FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                      LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
                     WHERE k.ord <= ix.indnkeyatts
                     ORDER BY k.ord) AS columns
         FROM pg_index ix
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_am am ON am.oid = i.relam
        WHERE ix.indrelid = $1::oid AND ix.indisvalid`,
      [tableOid],
    )
  ).rows;
  return rows;
}

/** `public.orders` style key (schema part only when the statement gave one). */
export function tableKey(t: TableRef): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}

export async function hypopgState(runner: SqlRunner): Promise<'installed' | 'available' | 'absent'> {
  const r = await runner.query<{ installed: boolean; available: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS installed,
            EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS available`,
  );
  const row = r.rows[0];
  return row?.installed ? 'installed' : row?.available ? 'available' : 'absent';
}
