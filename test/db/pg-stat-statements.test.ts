import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { queriesReport } from '../../src/db/queries-report.js';
import { connectPostgres, type ClosableRunner } from '../../src/db/runner.js';
import { statementsDelta, takeStatementsSnapshot } from '../../src/db/sources/pg-stat-statements.js';
import { cliPath, tempDir, testPgUrl } from '../helpers.js';
import { uniqueSchema } from './plan-scenarios.js';

const run = promisify(execFile);

/** pg_stat_statements before and after a run: the delta is what the run did. */
describe(
  'pg_stat_statements snapshot and delta',
  { skip: testPgUrl() ? false : 'PERFLOOP_TEST_PG is not set' },
  () => {
    let r: ClosableRunner;
    const schema = uniqueSchema('perfloop_pgss');
    before(async () => {
      r = await connectPostgres(testPgUrl()!);
      await r.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await r.query(`CREATE SCHEMA ${schema}`);
      await r.query(
        `CREATE TABLE ${schema}.orders (id int PRIMARY KEY, customer_id int NOT NULL, total int NOT NULL)`,
      );
      await r.query(`INSERT INTO ${schema}.orders SELECT g, g % 100, g FROM generate_series(1, 5000) g`);
    });
    after(async () => {
      await r?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await r?.close();
    });

    const workload = async (n: number) => {
      for (let i = 0; i < n; i++)
        await r.query(`SELECT id, total FROM ${schema}.orders WHERE customer_id = $1`, [i]);
    };

    it('the delta counts exactly the calls made between the snapshots', async () => {
      await workload(7); // before the first snapshot: must not count
      const before = await takeStatementsSnapshot(r);
      await workload(25);
      const after = await takeStatementsSnapshot(r);
      const delta = statementsDelta(before, after);
      const orders = delta.find((d) => d.query.includes(`${schema}.orders WHERE customer_id = $1`))!;
      assert.ok(orders, 'the statement is in the delta');
      assert.equal(orders.calls, 25);
      assert.equal(orders.rows, 25 * 50);
      assert.ok(orders.totalMs > 0 && orders.meanMs > 0);
      assert.ok(orders.p95Ms >= orders.meanMs && orders.p95Ms <= orders.maxMs);
      assert.equal(orders.p95Estimated, true);
      assert.ok(
        !delta.some((d) => d.query.includes('pg_stat_statements')),
        'perfloop’s own snapshot queries are left out',
      );
      const report = queriesReport({ queries: [], stats: delta, kind: 'pg_stat_statements' });
      assert.equal(report.top.find((t) => t.fingerprint === orders.fingerprint)?.calls, 25);
    });

    it('CLI: --save-snapshot before, --since after', async () => {
      const dir = tempDir();
      try {
        const snap = join(dir, 'before.json');
        await run(process.execPath, [
          cliPath,
          'queries',
          '--db',
          testPgUrl()!,
          '--save-snapshot',
          snap,
          '--json',
        ]);
        assert.equal(JSON.parse(readFileSync(snap, 'utf8')).schema, 'perfloop/pg-stat-statements-snapshot@1');
        await workload(12);
        const { stdout } = await run(process.execPath, [
          cliPath,
          'queries',
          '--db',
          testPgUrl()!,
          '--since',
          snap,
          // other test files share the cluster: their heavier statements must not push this one off the list
          '--top',
          '1000',
          '--json',
        ]);
        const json = JSON.parse(stdout);
        assert.equal(json.schema, 'perfloop/queries@1');
        const top = json.top.find((t: { query: string }) =>
          t.query.includes(`${schema}.orders WHERE customer_id`),
        );
        assert.equal(top.calls, 12);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
