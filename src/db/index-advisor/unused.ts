/**
 * Indexes that cost writes and space without serving reads: never scanned since the statistics were reset
 * (pg_stat_user_indexes.idx_scan = 0), and duplicates — a B-tree whose key columns are the same as another's,
 * or a prefix of them (the longer index serves every lookup the shorter one does). Indexes that enforce a
 * constraint (primary key, unique, exclusion) are never listed: dropping them changes what the table allows.
 */
import type { SqlRunner } from '../runner.js';

export interface UnusedIndex {
  index: string;
  table: string;
  sizeBytes: number;
  scans: number;
}

export interface DuplicateIndex {
  index: string;
  duplicateOf: string;
  sizeBytes: number;
}

interface IndexRow {
  index: string;
  table: string;
  scans: string;
  size: string;
  constraint: boolean;
  method: string;
  keys: string;
  partial: boolean;
  expr: boolean;
  oid: string;
}

async function indexRows(runner: SqlRunner): Promise<IndexRow[]> {
  const r = await runner.query<IndexRow>(
    `SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.indexrelname) AS index,
            quote_ident(s.schemaname) || '.' || quote_ident(s.relname) AS table,
            s.idx_scan::text AS scans, pg_relation_size(s.indexrelid)::text AS size,
            (i.indisprimary OR i.indisunique OR i.indisexclusion
              OR EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)) AS constraint,
            am.amname AS method, i.indkey::text AS keys, i.indpred IS NOT NULL AS partial,
            i.indexprs IS NOT NULL AS expr, i.indexrelid::text AS oid
       FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
      WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema')
      ORDER BY s.schemaname, s.relname, i.indexrelid`,
  );
  return r.rows;
}

export async function unusedAndDuplicateIndexes(
  runner: SqlRunner,
): Promise<{ unused: UnusedIndex[]; duplicates: DuplicateIndex[] }> {
  const rows = await indexRows(runner);
  const unused = rows
    .filter((r) => !r.constraint && Number(r.scans) === 0)
    .map((r) => ({ index: r.index, table: r.table, sizeBytes: Number(r.size), scans: Number(r.scans) }))
    .sort((a, b) => b.sizeBytes - a.sizeBytes);
  const duplicates: DuplicateIndex[] = [];
  const plain = rows.filter((r) => r.method === 'btree' && !r.partial && !r.expr);
  for (const a of plain) {
    if (a.constraint) continue;
    const ka = a.keys.split(' ');
    const other = plain.find((b) => {
      if (b === a || b.table !== a.table) return false;
      const kb = b.keys.split(' ');
      const prefix = ka.length <= kb.length && ka.every((k, i) => k === kb[i]);
      // of two identical indexes the later one is the duplicate (unless the earlier one is the removable one)
      if (prefix && ka.length === kb.length) return b.constraint || Number(b.oid) < Number(a.oid);
      return prefix;
    });
    if (other) duplicates.push({ index: a.index, duplicateOf: other.index, sizeBytes: Number(a.size) });
  }
  return { unused, duplicates };
}
