/**
 * Workload-wide index advice (`perfloop indexes --db URL`): the statements that cost the most time in total
 * (pg_stat_statements, or statements given with their calls), candidate indexes for each — multicolumn in
 * the order a B-tree serves (equality columns, then one range column, then the ORDER BY), and partial indexes
 * for constant predicates (`WHERE status = 'pending'`) — each verified by the planner on every statement it
 * could serve (hypopg, or a real index in a rolled-back transaction: nothing is ever committed), ranked by the
 * time it saves over all calls, with the write cost on the table stated.
 *
 * pg_stat_statements replaces constants by `$n`; for an equality on such a parameter the column's
 * statistics (pg_stats.most_common_vals/freqs) name the rare values, for which a partial index is tried with
 * that value, and the recommendation says it rests on those statistics.
 */
import { isPerfloopError } from '../../core/errors.js';
import { loadTables, resolvePredicates, tableKey, existingIndexes, type TableInfo } from '../catalog.js';
import { planCost } from '../explain/plan-cost.js';
import { inTransaction } from '../explain/run-explain.js';
import type { SqlRunner } from '../runner.js';
import { statementPredicates, type ColumnPredicate, type TableRef } from '../sql/predicates.js';
import { chooseMethod, costWithIndex, createIndexSql } from './advise.js';
import { coveredBy, type IndexCandidate } from './candidates.js';

export interface WorkloadStatement {
  sql: string;
  calls: number;
  totalMs: number;
}

export interface WorkloadRecommendation {
  create: string;
  table: string;
  columns: string[];
  where: string | null;
  include: string[];
  statements: { sql: string; calls: number; totalMs: number; costBefore: number; costAfter: number }[];
  estimatedSavingMs: number;
  writeCost: { inserts: number; updates: number; deletes: number; note: string } | null;
  verified: true;
  method: 'hypopg' | 'rollback';
  /** What the advice rests on beyond the plans (e.g. pg_stats for a partial index on a `$n`). */
  basis: string | null;
}

interface Candidate extends IndexCandidate {
  key: string;
  basis: string | null;
  /** A partial index for a rare value of `$n`: verified on the statement with that value bound. */
  bind?: { param: number; literal: string };
}

type Resolved = ColumnPredicate & { table: TableRef };

export interface WorkloadOptions {
  top?: number;
  maxStatements?: number;
  allowExtension?: boolean;
  timeoutMs?: number;
  /** Keep a statement's use of an index only if its cost falls to this share or less (default 0.5). */
  maxCostShare?: number;
  /** A value rarer than this (share of rows) is worth a partial index (default 0.2). */
  rareShare?: number;
  signal?: AbortSignal;
}

export async function workloadAdvice(
  runner: SqlRunner,
  statements: readonly WorkloadStatement[],
  options: WorkloadOptions = {},
): Promise<{ recommendations: WorkloadRecommendation[]; method: 'hypopg' | 'rollback'; notes: string[] }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxShare = options.maxCostShare ?? 0.5;
  const notes: string[] = [];
  const method = await chooseMethod(runner, options.allowExtension ?? false);
  const chosen = [...statements]
    .filter((s) => /^\s*(select|with|update|delete)\b/i.test(s.sql))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, options.maxStatements ?? 20);
  const byKey = new Map<string, { c: Candidate; uses: WorkloadRecommendation['statements'] }>();
  for (const st of chosen) {
    options.signal?.throwIfAborted();
    const preds = statementPredicates(st.sql);
    if (!preds) continue;
    const tables = await loadTables(runner, [
      ...preds.tables,
      ...preds.predicates.flatMap((p) => (p.table ? [p.table] : p.candidates)),
    ]);
    const resolved = resolvePredicates(preds, tables);
    let before: number;
    try {
      before = await inTransaction(runner, true, timeoutMs, {}, () =>
        planCost(runner, st.sql, preds.maxParam),
      );
    } catch (e) {
      if (!isPerfloopError(e)) throw e;
      notes.push(`not planned: ${st.sql.slice(0, 80)}: ${e.message}`);
      continue;
    }
    for (const c of await candidatesFor(runner, resolved, tables, options.rareShare ?? 0.2)) {
      const info = tables.get(tableKey(c.table));
      if (!info) continue;
      if (!c.where && coveredBy(c, await existingIndexes(runner, info.oid))) continue;
      // the generic plan of `status = $1` cannot use a partial index: bind the rare value it is for
      const sql = c.bind ? bindParam(st.sql, c.bind.param, c.bind.literal) : st.sql;
      const params = c.bind ? preds.maxParam - 1 : preds.maxParam;
      let base = before;
      let after: number;
      try {
        if (sql !== st.sql)
          base = await inTransaction(runner, true, timeoutMs, {}, () => planCost(runner, sql, params));
        after = await costWithIndex(runner, method, c, sql, params, timeoutMs);
      } catch (e) {
        if (!isPerfloopError(e)) throw e;
        continue;
      }
      if (!(after <= base * maxShare)) continue;
      const entry = byKey.get(c.key) ?? { c, uses: [] };
      entry.uses.push({
        sql: st.sql,
        calls: st.calls,
        totalMs: st.totalMs,
        costBefore: r2(base),
        costAfter: r2(after),
      });
      byKey.set(c.key, entry);
    }
  }
  const picked = pickGreedy([...byKey.values()], options.top ?? 5);
  const recommendations: WorkloadRecommendation[] = [];
  for (const p of picked)
    recommendations.push({
      create: createIndexSql(p.c.table, p.c.columns, p.c.where, p.c.include),
      table: p.c.table.schema ? `${p.c.table.schema}.${p.c.table.name}` : p.c.table.name,
      columns: p.c.columns,
      where: p.c.where ?? null,
      include: p.c.include ?? [],
      statements: p.uses,
      estimatedSavingMs: r2(p.saving),
      writeCost: await writeCost(runner, p.c.table),
      verified: true,
      method,
      basis: p.c.basis,
    });
  return { recommendations, method, notes };
}

interface Scored {
  c: Candidate;
  uses: WorkloadRecommendation['statements'];
  saving: number;
}

/**
 * The best N indexes together: each pick is the candidate that lowers the workload's cost most beyond what the
 * indexes already picked achieve (time over all calls first; for statements given without their time, the
 * share of their cost removed). A plain index serving two statements does not hide a partial one that serves
 * one of them far better.
 */
function pickGreedy(
  all: { c: Candidate; uses: WorkloadRecommendation['statements'] }[],
  top: number,
): Scored[] {
  const best = new Map<string, number>();
  for (const e of all) for (const u of e.uses) best.set(u.sql, u.costBefore);
  const picked: Scored[] = [];
  const left = [...all];
  while (picked.length < top && left.length) {
    let bestIdx = -1;
    let bestGain: [number, number] = [0, 0];
    left.forEach((e, i) => {
      let ms = 0;
      let cut = 0;
      for (const u of e.uses) {
        const now = best.get(u.sql)!;
        const gain = Math.max(0, now - u.costAfter);
        // time is taken as proportional to cost; the cut is the share of what is left after earlier picks
        ms += (u.totalMs * gain) / u.costBefore;
        cut += now > 0 ? gain / now : 0;
      }
      // near-equal gains (within 2 %): the index that costs less to keep wins — a partial one (only the
      // matching rows are written), then the one with fewer columns
      const close =
        Math.abs(ms - bestGain[0]) <= 0.02 * Math.max(ms, bestGain[0]) && Math.abs(cut - bestGain[1]) <= 0.02;
      const cheaper =
        bestIdx >= 0 &&
        ((!!e.c.where && !left[bestIdx].c.where) ||
          (!!e.c.where === !!left[bestIdx].c.where &&
            e.c.columns.length + (e.c.include?.length ?? 0) <
              left[bestIdx].c.columns.length + (left[bestIdx].c.include?.length ?? 0)));
      const better =
        bestIdx < 0
          ? cut > 0
          : close
            ? cheaper
            : ms > bestGain[0] || (ms === bestGain[0] && cut > bestGain[1]);
      if (better) {
        bestIdx = i;
        bestGain = [ms, cut];
      }
    });
    // an index must remove half of what is left of some statement's cost to be worth its writes
    if (bestIdx < 0 || bestGain[1] < 0.5) break;
    const e = left.splice(bestIdx, 1)[0];
    for (const u of e.uses) best.set(u.sql, Math.min(best.get(u.sql)!, u.costAfter));
    picked.push({ ...e, saving: bestGain[0] });
  }
  return picked;
}

/** `$n` replaced by a literal, later parameters renumbered (`$3` → `$2`) so the statement still prepares. */
function bindParam(sql: string, n: number, literal: string): string {
  return sql.replace(/\$(\d+)/g, (m, d: string) => {
    const k = Number(d);
    return k === n ? literal : k > n ? `$${k - 1}` : m;
  });
}

/**
 * Candidates for one statement, per table: the multicolumn index in B-tree order (equalities, one range,
 * then the sort), each single column, and partial indexes for equality constants (or rare MCVs of `$n`).
 */
async function candidatesFor(
  runner: SqlRunner,
  preds: readonly Resolved[],
  tables: Map<string, TableInfo>,
  rareShare: number,
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const byTable = new Map<string, Resolved[]>();
  for (const p of preds) {
    const k = tableKey(p.table);
    byTable.set(k, [...(byTable.get(k) ?? []), p]);
  }
  const add = (
    table: TableRef,
    columns: string[],
    where?: string,
    basis: string | null = null,
    include: string[] = [],
  ) => {
    const cols = columns.filter((c, i) => columns.indexOf(c) === i);
    if (cols.length === 0 || cols.length > 4) return null;
    const c: Candidate = {
      table,
      columns: cols,
      where,
      ...(include.length ? { include } : {}),
      key: `${tableKey(table)}(${cols.join(',')})${include.length ? ` INCLUDE (${include.join(',')})` : ''}${where ? ` WHERE ${where}` : ''}`,
      basis,
    };
    out.push(c);
    return c;
  };
  for (const [, ps] of byTable) {
    const table = ps[0].table;
    const eq = ps.filter((p) => p.kind === 'eq' || p.kind === 'in' || p.kind === 'join').map((p) => p.column);
    const range = ps.find((p) => p.kind === 'range')?.column;
    const sort = ps.filter((p) => p.kind === 'sort').map((p) => p.column);
    const ordered = [...eq, ...(range ? [range] : []), ...(range ? sort.filter((s) => s === range) : sort)];
    add(table, ordered);
    // covering: the select list's other columns of this table stored in the index make the scan index-only
    const outputs = [...new Set(ps.filter((p) => p.kind === 'output').map((p) => p.column))];
    const covering = (keys: string[]) => {
      const extra = outputs.filter((c) => !keys.includes(c));
      return extra.length > 0 && extra.length <= 3 ? extra : null;
    };
    const cover = covering(ordered);
    if (ordered.length > 0 && cover) add(table, ordered, undefined, null, cover);
    for (const c of new Set([...eq, ...(range ? [range] : []), ...sort])) add(table, [c]);
    // partial: an equality on a constant that is one of the column's rare common values (a status, a flag)
    // leaves the index the other columns, for the matching rows only; a key such as a customer id is not one
    for (const p of ps.filter((x) => x.kind === 'eq' && x.constant !== undefined)) {
      const info = tables.get(tableKey(table));
      if (!info) continue;
      const rare = (await rareValues(runner, info, p.column, rareShare)).find(
        (v) => `'${v.value.replaceAll("'", "''")}'` === p.constant || v.value === p.constant,
      );
      if (!rare) continue;
      const rest = ordered.filter((c) => c !== p.column);
      add(
        table,
        rest.length ? rest : [p.column],
        `${quote(p.column)} = ${p.constant}`,
        `the statement's constant; pg_stats: ${(rare.freq * 100).toFixed(1)}% of the rows`,
      );
    }
    for (const p of ps.filter((x) => x.kind === 'eq' && x.param !== undefined)) {
      const info = tables.get(tableKey(table));
      if (!info) continue;
      for (const v of await rareValues(runner, info, p.column, rareShare)) {
        const rest = ordered.filter((c) => c !== p.column);
        const literal = `'${v.value.replaceAll("'", "''")}'`;
        const c = add(
          table,
          rest.length ? rest : [p.column],
          `${quote(p.column)} = ${literal}`,
          `pg_stats: ${p.column} = ${literal} is ${(v.freq * 100).toFixed(1)}% of the rows (most_common_vals/freqs); pg_stat_statements hides which values the statement is called with`,
        );
        if (c) c.bind = { param: p.param!, literal };
      }
    }
  }
  return out;
}

async function rareValues(
  runner: SqlRunner,
  info: TableInfo,
  column: string,
  rareShare: number,
): Promise<{ value: string; freq: number }[]> {
  const r = await runner.query<{ vals: string[] | null; freqs: number[] | null }>(
    `SELECT most_common_vals::text::text[] AS vals, most_common_freqs AS freqs FROM pg_stats
      WHERE schemaname = $1 AND tablename = $2 AND attname = $3`,
    [info.schema, info.name, column],
  );
  const row = r.rows[0];
  if (!row?.vals || !row.freqs) return [];
  return row.vals
    .map((value, i) => ({ value, freq: Number(row.freqs![i]) }))
    .filter((v) => v.freq <= rareShare)
    .sort((a, b) => a.freq - b.freq)
    .slice(0, 3);
}

async function writeCost(runner: SqlRunner, t: TableRef): Promise<WorkloadRecommendation['writeCost']> {
  const r = await runner.query<{ ins: string; upd: string; hot: string; del: string }>(
    `SELECT n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_hot_upd::text AS hot, n_tup_del::text AS del
       FROM pg_stat_user_tables WHERE relname = $1 AND ($2::text IS NULL OR schemaname = $2)`,
    [t.name, t.schema],
  );
  const row = r.rows[0];
  if (!row) return null;
  const inserts = Number(row.ins);
  const updates = Number(row.upd) - Number(row.hot);
  const deletes = Number(row.del);
  return {
    inserts,
    updates,
    deletes,
    note: `since the statistics were reset: ${inserts.toLocaleString('en-US')} inserts and ${updates.toLocaleString('en-US')} non-HOT updates each also write this index (deletes leave it to VACUUM)`,
  };
}

const quote = (c: string) => (/^[a-z_][a-z0-9_]*$/.test(c) ? c : `"${c.replaceAll('"', '""')}"`);
const r2 = (x: number) => Math.round(x * 100) / 100;
