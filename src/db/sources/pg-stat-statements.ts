/**
 * pg_stat_statements before and after a run: the difference is what the run did (calls, time, rows per
 * statement), from the server's own accounting — for any client language, without an agent.
 * https://www.postgresql.org/docs/current/pgstatstatements.html (PostgreSQL 13+ column names; 12's
 * total_time & co. are read too).
 */
import { PerfloopError } from '../../core/errors.js';
import type { QueryStats } from '../query-stats.js';
import type { SqlRunner } from '../runner.js';
import { queryShape } from '../sql/fingerprint.js';

export interface StatementRow {
  /** userid/dbid/queryid(/toplevel): one entry of the view. */
  key: string;
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  stddevMs: number;
  maxMs: number;
  rows: number;
}

export interface StatementsSnapshot {
  schema: 'perfloop/pg-stat-statements-snapshot@1';
  takenAt: string;
  rows: StatementRow[];
}

const COLUMNS_13 =
  'total_exec_time AS total, mean_exec_time AS mean, stddev_exec_time AS stddev, max_exec_time AS max';
const COLUMNS_12 = 'total_time AS total, mean_time AS mean, stddev_time AS stddev, max_time AS max';

/** The view's rows for the current database (perfloop's own snapshot queries excluded). */
export async function takeStatementsSnapshot(runner: SqlRunner): Promise<StatementsSnapshot> {
  const installed = (
    await runner.query<{ ok: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS ok`,
    )
  ).rows[0]?.ok;
  if (!installed)
    throw new PerfloopError('PGSS_MISSING', 'pg_stat_statements is not installed in this database', {
      hint: 'add it to shared_preload_libraries and run CREATE EXTENSION pg_stat_statements',
    });
  const select = (cols: string) =>
    runner.query<{
      userid: string;
      dbid: string;
      queryid: string;
      toplevel: string;
      query: string;
      calls: string;
      total: number;
      mean: number;
      stddev: number;
      max: number;
      rows: string;
    }>(
      `SELECT userid::text, dbid::text, queryid::text, ${cols}, to_jsonb(s) ->> 'toplevel' AS toplevel, query, calls::text, rows::text
         FROM pg_stat_statements s
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND query NOT LIKE '%pg_stat_statements%'`,
    );
  let rows;
  try {
    rows = (await select(COLUMNS_13)).rows;
  } catch {
    rows = (await select(COLUMNS_12)).rows;
  }
  return {
    schema: 'perfloop/pg-stat-statements-snapshot@1',
    takenAt: new Date().toISOString(),
    rows: rows.map((r) => ({
      key: `${r.userid}/${r.dbid}/${r.queryid}/${r.toplevel ?? ''}`,
      queryid: r.queryid,
      query: r.query,
      calls: Number(r.calls),
      totalMs: Number(r.total),
      meanMs: Number(r.mean),
      stddevMs: Number(r.stddev),
      maxMs: Number(r.max),
      rows: Number(r.rows),
    })),
  };
}

/**
 * What ran between two snapshots, as top-query statistics. p95 is estimated from the delta's mean and
 * standard deviation (sums of squares recovered from the view's population stddev), capped by the max.
 */
export function statementsDelta(
  before: StatementsSnapshot | null,
  after: StatementsSnapshot,
): (QueryStats & { p95Estimated: true; queryid: string })[] {
  const prev = new Map((before?.rows ?? []).map((r) => [r.key, r]));
  const out: (QueryStats & { p95Estimated: true; queryid: string })[] = [];
  let all = 0;
  for (const a of after.rows) {
    let b = prev.get(a.key);
    if (b && b.calls > a.calls) b = undefined; // reset between the snapshots: all of `after` is new
    const calls = a.calls - (b?.calls ?? 0);
    if (calls <= 0) continue;
    const total = a.totalMs - (b?.totalMs ?? 0);
    const sumsq = (r: StatementRow) => (r.stddevMs ** 2 + r.meanMs ** 2) * r.calls;
    const mean = total / calls;
    const variance = Math.max(0, (sumsq(a) - (b ? sumsq(b) : 0)) / calls - mean ** 2);
    const p95 = Math.min(a.maxMs, mean + 1.645 * Math.sqrt(variance));
    const shape = queryShape(a.query);
    out.push({
      fingerprint: shape.fingerprint,
      query: shape.query,
      example: a.query,
      calls,
      totalMs: r2(total),
      meanMs: r2(mean),
      p95Ms: r2(Math.max(mean, p95)),
      maxMs: r2(a.maxMs),
      rows: a.rows - (b?.rows ?? 0),
      pctOfDbTime: 0,
      p95Estimated: true,
      queryid: a.queryid,
    });
    all += total;
  }
  for (const s of out) s.pctOfDbTime = all > 0 ? r2((100 * s.totalMs) / all) : 0;
  return out.sort((x, y) => y.totalMs - x.totalMs);
}

const r2 = (x: number) => Math.round(x * 100) / 100;
