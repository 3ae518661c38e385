import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { finishSeedStatements, seedSql } from '../../demo/seed.js';
import { ORDER_COLUMNS } from '../../demo/orders.js';
import { adviseIndexes } from '../../src/db/index-advisor/advise.js';
import { explainAndAnalyse } from '../../src/db/plan-analysis.js';
import { connectPostgres, pgliteRunner, type ClosableRunner, type SqlRunner } from '../../src/db/runner.js';
import { testPgUrl } from '../helpers.js';
import { uniqueSchema } from './plan-scenarios.js';

/** The demo's own statements: one hits the planted missing index, one is an indexed lookup. */
const ORDERS_OF_CUSTOMER = `SELECT ${ORDER_COLUMNS} FROM orders WHERE customer_id = $1 ORDER BY placed_at DESC, id DESC`;
const CUSTOMER_EXISTS = 'SELECT 1 FROM customers WHERE id = $1';

const hasHypopg = async (r: SqlRunner) =>
  (
    await r.query<{ ok: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS ok`,
    )
  ).rows[0].ok;
const indexCount = async (r: SqlRunner) =>
  // This schema's only: other test files create their own `orders` in their own schemas of the shared cluster.
  (await r.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'orders' AND schemaname = current_schema()`))
    .rows[0].n;

function advisorSuite(
  name: string,
  open: () => Promise<{ runner: SqlRunner; close: () => Promise<void> }>,
  methods: ('hypopg' | 'rollback')[],
) {
  describe(`index advisor on ${name} (demo schema)`, () => {
    let runner: SqlRunner;
    let close: () => Promise<void>;
    before(async () => {
      ({ runner, close } = await open());
    });
    after(async () => close?.());

    for (const method of methods) {
      it(`recommends the planted missing index orders(customer_id), verified with ${method}, and leaves nothing behind`, async (t) => {
        if (method === 'hypopg' && !(await hasHypopg(runner)))
          return t.skip('hypopg is not installed in this database');
        const before = await indexCount(runner);
        const r = await adviseIndexes(runner, ORDERS_OF_CUSTOMER, { method });
        assert.equal(r.method, method);
        assert.equal(r.advice.length, 1, JSON.stringify(r.considered));
        const [a] = r.advice;
        assert.equal(a.table, 'orders');
        assert.deepEqual(a.columns, ['customer_id']);
        assert.equal(a.sql, 'CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);');
        assert.ok(a.costAfter * 2 <= a.costBefore, `${a.costBefore} → ${a.costAfter}`);
        // placed_at and id already lead an index: not candidates
        assert.ok(
          r.considered.some(
            (c) => c.columns.join() === 'placed_at' && /covered by orders_placed_at_idx/.test(c.verdict),
          ),
        );
        assert.equal(await indexCount(runner), before, 'no index was left behind');
      });
    }

    it('recommends nothing for an indexed lookup', async () => {
      for (const method of methods)
        if (method === 'rollback' || (await hasHypopg(runner)))
          assert.deepEqual((await adviseIndexes(runner, CUSTOMER_EXISTS, { method })).advice, []);
    });

    it('explain --db analysis: seq-scan finding and db.missing-index with the CREATE INDEX', async () => {
      const r = await explainAndAnalyse(runner, ORDERS_OF_CUSTOMER);
      assert.equal(r.explain.analyzed, true);
      assert.equal(r.explain.params[0].source, 'orders.customer_id');
      const rules = r.analysis.findings.map((f) => f.rule);
      assert.ok(rules.includes('db.seq-scan-filter'), rules.join());
      const missing = r.analysis.findings.find((f) => f.rule === 'db.missing-index')!;
      assert.match(
        missing.recommendation,
        /^CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders \(customer_id\);/,
      );
      assert.deepEqual(
        r.analysis.indexAdvice.map((a) => a.columns),
        [['customer_id']],
      );
    });

    it('after the fix (the index exists) it recommends nothing', async () => {
      await runner.query('CREATE INDEX orders_customer_id_idx ON orders (customer_id)');
      try {
        for (const method of methods)
          if (method === 'rollback' || (await hasHypopg(runner)))
            assert.deepEqual((await adviseIndexes(runner, ORDERS_OF_CUSTOMER, { method })).advice, []);
      } finally {
        await runner.query('DROP INDEX orders_customer_id_idx');
      }
    });
  });
}

async function seed(r: SqlRunner): Promise<void> {
  for (const stmt of seedSql
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean))
    await r.query(stmt);
  await r.query('ANALYZE');
}

advisorSuite(
  'PGlite (no hypopg: real index in a rolled-back transaction)',
  async () => {
    const db = await PGlite.create();
    await db.exec(seedSql);
    for (const s of finishSeedStatements) await db.exec(s);
    return { runner: pgliteRunner(db), close: () => db.close() };
  },
  ['rollback'],
);

if (testPgUrl()) {
  const schema = uniqueSchema('perfloop_advisor');
  advisorSuite(
    'PostgreSQL (hypopg and rolled-back real index)',
    async () => {
      const r: ClosableRunner = await connectPostgres(testPgUrl()!);
      await r.query(`CREATE SCHEMA ${schema}`);
      // unqualified names in the statements resolve through search_path, as in the service
      await r.query(`SELECT set_config('search_path', '${schema}, public', false)`);
      await seed(r);
      return {
        runner: r,
        close: async () => {
          await r.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await r.close();
        },
      };
    },
    ['rollback', 'hypopg'],
  );

  describe('hypopg is created only when allowed (--allow-extension)', () => {
    const dbName = uniqueSchema('perfloop_ext');
    let admin: ClosableRunner;
    let r: ClosableRunner;
    before(async () => {
      admin = await connectPostgres(testPgUrl()!);
      await admin.query(`CREATE DATABASE ${dbName}`);
      const url = new URL(testPgUrl()!);
      url.pathname = `/${dbName}`;
      r = await connectPostgres(url.toString());
      await r.query('CREATE TABLE t (id int, k int)');
      await r.query('INSERT INTO t SELECT g, g % 1000 FROM generate_series(1, 20000) g');
      await r.query('ANALYZE t');
    });
    after(async () => {
      await r?.close();
      await admin?.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin?.close();
    });

    it('without permission the rolled-back real index is used and no extension appears; with it, hypopg', async (t) => {
      const available = (
        await r.query<{ ok: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS ok`,
        )
      ).rows[0].ok;
      const plain = await adviseIndexes(r, 'SELECT * FROM t WHERE k = 5');
      assert.equal(plain.method, 'rollback');
      assert.deepEqual(
        plain.advice.map((a) => a.columns),
        [['k']],
      );
      assert.equal(await hasHypopg(r), false);
      if (!available)
        return t.skip('hypopg is not installed on this server (apt-get install postgresql-15-hypopg)');
      const allowed = await adviseIndexes(r, 'SELECT * FROM t WHERE k = 5', { allowExtension: true });
      assert.equal(allowed.method, 'hypopg');
      assert.deepEqual(
        allowed.advice.map((a) => a.columns),
        [['k']],
      );
      assert.equal(await hasHypopg(r), true);
    });
  });
}
