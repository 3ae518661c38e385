/**
 * Real plans made to show each plan rule: the tables (in a throwaway schema), the statement and the settings
 * that produce the problem. Shared by the live tests (PostgreSQL 15 and PGlite/PostgreSQL 18) and by
 * make-plan-fixtures.ts, which saves the plans under test/fixtures/db/plans/ for the offline parser tests.
 */
import type { SqlRunner } from '../../src/db/runner.js';

export interface PlanScenario {
  name: string;
  /** The rule the plan is made to show (null: a healthy plan, or a timing-only scenario). */
  rule: string | null;
  /** `S` is replaced by the schema. */
  query: string;
  settings: Record<string, string>;
  /** Also runs on PGlite (single process: no parallel workers, no JIT). */
  pglite: boolean;
  /** Rule thresholds the scenario needs (only where machine speed matters). */
  ruleOptions?: Record<string, number>;
}

const SERIAL = { max_parallel_workers_per_gather: '0' };

export const PLAN_SCENARIOS: readonly PlanScenario[] = [
  {
    name: 'seq-scan-filter',
    rule: 'db.seq-scan-filter',
    query: 'SELECT id FROM S.ss WHERE k = 42',
    settings: SERIAL,
    pglite: true,
  },
  {
    name: 'row-misestimate',
    rule: 'db.row-misestimate',
    query: 'SELECT * FROM S.mis WHERE a = 1 AND b = 1',
    settings: SERIAL,
    pglite: true,
  },
  {
    name: 'sort-spill',
    rule: 'db.sort-spill',
    query: 'SELECT * FROM S.ss ORDER BY pad, id',
    settings: { ...SERIAL, work_mem: '64kB' },
    pglite: true,
  },
  {
    name: 'hash-join-spill',
    rule: 'db.hash-spill',
    query: 'SELECT count(*) FROM S.ss a JOIN S.ss b ON a.id = b.id',
    settings: { ...SERIAL, work_mem: '64kB', enable_mergejoin: 'off', enable_nestloop: 'off' },
    pglite: false,
  },
  {
    name: 'hash-agg-spill',
    rule: 'db.hash-spill',
    query: 'SELECT pad, count(*) FROM S.ss GROUP BY pad',
    settings: { ...SERIAL, work_mem: '64kB', enable_sort: 'off' },
    pglite: false,
  },
  {
    name: 'nested-loop-many',
    rule: 'db.nested-loop-many',
    query: 'SELECT count(b.v) FROM S.ss a JOIN S.hf b ON b.id = a.id WHERE a.k < 200',
    settings: { ...SERIAL, enable_hashjoin: 'off', enable_mergejoin: 'off' },
    pglite: true,
  },
  {
    name: 'lossy-bitmap',
    rule: 'db.lossy-bitmap',
    query: 'SELECT count(pad) FROM S.ss WHERE j < 50',
    settings: { ...SERIAL, work_mem: '64kB', enable_seqscan: 'off', enable_indexscan: 'off' },
    pglite: false,
  },
  {
    name: 'heap-fetches',
    rule: 'db.heap-fetches',
    query: 'SELECT count(id) FROM S.hf WHERE id < 40000',
    settings: { ...SERIAL, enable_seqscan: 'off', enable_bitmapscan: 'off' },
    pglite: true,
  },
  {
    name: 'jit-dominant',
    rule: 'db.jit-dominant',
    query: 'SELECT sum(id * 2 + k) FROM S.ss WHERE j < 10',
    settings: {
      ...SERIAL,
      jit: 'on',
      jit_above_cost: '0',
      jit_inline_above_cost: '0',
      jit_optimize_above_cost: '0',
    },
    pglite: false,
  },
  {
    name: 'planning-dominant',
    rule: 'db.planning-dominant',
    query: `SELECT count(*) FROM S.pj t1 ${[2, 3, 4, 5, 6, 7, 8, 9].map((i) => `JOIN S.pj t${i} ON t${i}.a = t${i - 1}.a`).join(' ')} WHERE t1.id = 5`,
    settings: { join_collapse_limit: '20', from_collapse_limit: '20', geqo_threshold: '30' },
    pglite: false,
  },
  {
    name: 'slow-count',
    rule: 'db.slow-count',
    query: 'SELECT count(*) FROM S.big',
    settings: SERIAL,
    pglite: false,
    ruleOptions: { slowCountMs: 20 },
  },
  {
    name: 'cache-miss',
    rule: 'db.cache-miss',
    query: 'SELECT count(*) FROM S.big WHERE k = 7',
    settings: SERIAL,
    pglite: false,
  },
  {
    name: 'workers-not-launched',
    rule: 'db.workers-not-launched',
    query: 'SELECT count(*) FROM S.ss',
    settings: {
      max_parallel_workers: '0',
      max_parallel_workers_per_gather: '2',
      parallel_setup_cost: '0',
      parallel_tuple_cost: '0',
      min_parallel_table_scan_size: '0',
    },
    pglite: false,
  },
  {
    name: 'parallel',
    rule: null,
    query: 'SELECT count(*) FROM S.big',
    settings: { max_parallel_workers_per_gather: '2', parallel_setup_cost: '0', parallel_tuple_cost: '0' },
    pglite: false,
  },
  {
    name: 'cte-initplan',
    rule: null,
    query:
      'WITH c AS MATERIALIZED (SELECT id, k FROM S.ss WHERE k < 500) SELECT (SELECT max(id) FROM S.ss WHERE j = 3) AS m, count(*) FROM c a JOIN c b ON a.id = b.id',
    settings: SERIAL,
    pglite: true,
  },
  { name: 'healthy', rule: null, query: 'SELECT * FROM S.ss WHERE id = 42', settings: SERIAL, pglite: true },
];

/** Creates the scenario tables in `schema` (rows scaled down on PGlite, which runs in WebAssembly). */
export async function createScenarioTables(
  runner: SqlRunner,
  schema: string,
  options: { big: boolean },
): Promise<void> {
  const rows = runner.kind === 'pglite' ? 50_000 : 200_000;
  const stmts = [
    `CREATE SCHEMA ${schema}`,
    `CREATE TABLE ${schema}.ss (id int PRIMARY KEY, k int NOT NULL, j int NOT NULL, pad text NOT NULL)`,
    `INSERT INTO ${schema}.ss SELECT g, g % 5000, g % 100, md5(g::text) FROM generate_series(1, ${rows}) g`,
    `CREATE INDEX ON ${schema}.ss (j)`,
    `CREATE TABLE ${schema}.mis (a int NOT NULL, b int NOT NULL)`,
    `INSERT INTO ${schema}.mis SELECT g % 100, g % 100 FROM generate_series(1, 100000) g`,
    // no VACUUM: the visibility map stays empty, so index-only scans visit the heap
    `CREATE TABLE ${schema}.hf (id int PRIMARY KEY, v int NOT NULL) WITH (autovacuum_enabled = false)`,
    `INSERT INTO ${schema}.hf SELECT g, g FROM generate_series(1, 50000) g`,
    `CREATE TABLE ${schema}.pj (id int PRIMARY KEY, a int NOT NULL)`,
    `CREATE INDEX ON ${schema}.pj (a)`,
    `INSERT INTO ${schema}.pj SELECT g, g FROM generate_series(1, 100) g`,
  ];
  // CREATE TABLE AS writes through a small ring buffer, so the 86 MB table is mostly not in shared_buffers,
  // and a sequential scan of a table over a quarter of shared_buffers reads through a ring too: blocks are read.
  if (options.big)
    stmts.push(
      `CREATE TABLE ${schema}.big AS SELECT g AS id, g % 1000 AS k, repeat('x', 20) AS pad FROM generate_series(1, 1500000) g`,
    );
  for (const s of stmts) await runner.query(s);
  for (const t of ['ss', 'mis', 'hf', 'pj', ...(options.big ? ['big'] : [])])
    await runner.query(`ANALYZE ${schema}.${t}`);
}

export const scenarioSql = (s: PlanScenario, schema: string) => s.query.replace(/\bS\./g, `${schema}.`);
export const uniqueSchema = (prefix: string) =>
  `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
