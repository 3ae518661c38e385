import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { connectPostgres, type ClosableRunner } from '../../src/db/runner.js';
import { cliPath, tempDir, testPgUrl } from '../helpers.js';
import { uniqueSchema } from './plan-scenarios.js';

const run = promisify(execFile);

interface Rec {
  include: string[];
  create: string;
  table: string;
  columns: string[];
  where: string | null;
  statements: { sql: string }[];
  verified: boolean;
  writeCost: { inserts: number } | null;
  basis: string | null;
}

/**
 * `perfloop indexes --db URL` on a planted workload in the real PostgreSQL 15: the method's
 * `status = 'pending' … created_at` query gets a partial index, a customer + date query a multicolumn index in
 * B-tree order, and a never-scanned and a duplicate index are listed — all verified, no row changed.
 */
describe(
  'perfloop indexes (PostgreSQL 15)',
  { skip: testPgUrl() ? false : 'PERFLOOP_TEST_PG is not set' },
  () => {
    let runner: ClosableRunner;
    const S = uniqueSchema('perfloop_idx');
    const dir = tempDir('perfloop-indexes-');
    const pending = `SELECT id, created_at FROM ${S}.orders WHERE status = 'pending' ORDER BY created_at LIMIT 50`;
    const byCustomer = `SELECT total FROM ${S}.orders WHERE customer_id = 42 AND created_at >= '2026-03-01' ORDER BY created_at`;

    before(async () => {
      runner = await connectPostgres(testPgUrl()!);
      for (const s of [
        `CREATE SCHEMA ${S}`,
        `CREATE TABLE ${S}.orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL, total int NOT NULL, note text)`,
        `INSERT INTO ${S}.orders SELECT g, g % 2000, CASE WHEN g % 100 = 0 THEN 'pending' ELSE 'shipped' END, timestamptz '2026-01-01' + (g % 300000) * interval '1 minute', g % 500, md5(g::text) FROM generate_series(1, 200000) g`,
        `CREATE INDEX orders_note_idx ON ${S}.orders (note)`,
        `CREATE INDEX orders_total_idx ON ${S}.orders (total)`,
        `CREATE INDEX orders_total_again_idx ON ${S}.orders (total)`,
        // all-visible pages: the planner can cost an index-only scan (a covering index)
        `VACUUM ANALYZE ${S}.orders`,
      ])
        await runner.query(s);
    });
    after(async () => {
      await runner?.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`);
      await runner?.close();
    });

    it('partial, multicolumn, unused and duplicate — verified, nothing changed', async () => {
      const file = join(dir, 'captured.sql');
      writeFileSync(file, `${pending};\n${byCustomer};\n`);
      const countBefore = (await runner.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${S}.orders`))
        .rows[0].n;
      const r = await run(
        process.execPath,
        [cliPath, 'indexes', '--db', testPgUrl()!, '--sql', file, '--top', '10', '--json'],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        },
      );
      const doc = JSON.parse(r.stdout) as {
        schema: string;
        recommendations: Rec[];
        unused: { index: string; table: string; sizeBytes: number; scans: number }[];
        duplicates: { index: string; duplicateOf: string; sizeBytes: number }[];
      };
      assert.equal(doc.schema, 'perfloop/indexes@1');
      const mine = doc.recommendations.filter((x) => x.table === `${S}.orders`);
      const partial = mine.find((x) => x.where !== null);
      assert.ok(partial, JSON.stringify(mine, null, 1));
      assert.equal(partial.where, "status = 'pending'");
      assert.deepEqual(
        partial.statements.map((s) => s.sql),
        [pending],
      );
      assert.deepEqual(partial.columns, ['created_at']);
      assert.match(partial.create, /^CREATE INDEX CONCURRENTLY .* \(created_at\) WHERE status = 'pending';$/);
      const multi = mine.find((x) => x.columns.length > 1);
      assert.ok(multi, JSON.stringify(mine.map((x) => x.create)));
      assert.deepEqual(
        multi.statements.map((s) => s.sql),
        [byCustomer],
      );
      assert.deepEqual(multi.columns, ['customer_id', 'created_at']);
      for (const x of mine) {
        assert.equal(x.verified, true);
        assert.ok(x.writeCost && x.writeCost.inserts >= 200000);
      }
      const unused = doc.unused.filter((u) => u.table === `${S}.orders`).map((u) => u.index);
      assert.ok(unused.includes(`${S}.orders_note_idx`), unused.join());
      assert.ok(!unused.includes(`${S}.orders_pkey`), 'a primary key is never "unused"');
      const dup = doc.duplicates.find((d) => d.index === `${S}.orders_total_again_idx`);
      assert.ok(dup, JSON.stringify(doc.duplicates));
      assert.equal(dup.duplicateOf, `${S}.orders_total_idx`);
      assert.ok(dup.sizeBytes > 0);
      // never changing data or schema
      const countAfter = (await runner.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${S}.orders`))
        .rows[0].n;
      assert.equal(countAfter, countBefore);
      const idx = await runner.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY 1`, [
        S,
      ]);
      assert.deepEqual(
        idx.rows.map((x) => (x as { indexname: string }).indexname),
        ['orders_note_idx', 'orders_pkey', 'orders_total_again_idx', 'orders_total_idx'],
      );
    });

    it('from pg_stat_statements ($n instead of constants): the partial index rests on pg_stats', async () => {
      await runner.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      for (let i = 0; i < 30; i++) await runner.query(pending);
      const r = await run(
        process.execPath,
        [cliPath, 'indexes', '--db', testPgUrl()!, '--top', '20', '--json'],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        },
      );
      const doc = JSON.parse(r.stdout) as { recommendations: Rec[] };
      const partial = doc.recommendations.find(
        (x) => x.table === `${S}.orders` && x.where === "status = 'pending'",
      );
      assert.ok(partial, JSON.stringify(doc.recommendations.map((x) => x.create)));
      assert.match(partial.basis ?? '', /pg_stats: status = 'pending' is \d+\.\d% of the rows/);
    });
  },
);
