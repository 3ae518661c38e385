/**
 * Index candidates from what a statement filters, joins and sorts on (parse tree, see sql/predicates.ts):
 * every useful column alone, then ordered pairs — equality columns lead (a B-tree serves `a = ? AND b > ?`
 * from (a, b), not from (b, a)), then a second equality, range or sort column.
 */
import type { ExistingIndex } from '../catalog.js';
import type { ColumnPredicate, PredicateKind, TableRef } from '../sql/predicates.js';

export interface IndexCandidate {
  table: TableRef;
  columns: string[];
  /** Partial index predicate (SQL), e.g. `status = 'pending'`. */
  where?: string;
  /** Non-key columns stored in the index (INCLUDE), so the scan can be index-only. */
  include?: string[];
}

/** How much a B-tree on the column helps, by how the statement uses it (LIKE and IS NULL are left out). */
const PRIORITY: Partial<Record<PredicateKind, number>> = {
  eq: 0,
  in: 1,
  join: 2,
  range: 3,
  sort: 4,
  group: 5,
};
const LEADING: ReadonlySet<PredicateKind> = new Set(['eq', 'in', 'join']);

export function indexCandidates(
  predicates: readonly (ColumnPredicate & { table: TableRef })[],
  maxPairsPerTable = 12,
): IndexCandidate[] {
  const byTable = new Map<string, { table: TableRef; cols: Map<string, PredicateKind> }>();
  for (const p of predicates) {
    if (PRIORITY[p.kind] === undefined) continue;
    const key = `${p.table.schema ?? ''}.${p.table.name}`;
    let t = byTable.get(key);
    if (!t) byTable.set(key, (t = { table: p.table, cols: new Map() }));
    const prev = t.cols.get(p.column);
    if (prev === undefined || PRIORITY[p.kind]! < PRIORITY[prev]!) t.cols.set(p.column, p.kind);
  }
  const singles: IndexCandidate[] = [];
  const pairs: IndexCandidate[] = [];
  for (const { table, cols } of byTable.values()) {
    const ordered = [...cols.entries()].sort((a, b) => PRIORITY[a[1]]! - PRIORITY[b[1]]!);
    for (const [c] of ordered) singles.push({ table, columns: [c] });
    let n = 0;
    for (const [a, ka] of ordered) {
      if (!LEADING.has(ka)) continue;
      for (const [b] of ordered) {
        if (a === b || n >= maxPairsPerTable) continue;
        pairs.push({ table, columns: [a, b] });
        n++;
      }
    }
  }
  return [...singles, ...pairs];
}

/** An existing B-tree whose leading key columns are the candidate's already serves it. */
export function coveredBy(
  candidate: IndexCandidate,
  indexes: readonly ExistingIndex[],
): ExistingIndex | null {
  for (const ix of indexes) {
    if (ix.method !== 'btree' || ix.partial) continue;
    const lead = ix.columns.slice(0, candidate.columns.length);
    if (lead.length === candidate.columns.length && lead.every((c, i) => c === candidate.columns[i]))
      return ix;
  }
  return null;
}
