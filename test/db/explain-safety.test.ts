import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { isPerfloopError, type PerfloopError } from '../../src/core/errors.js';
import { explainStatement } from '../../src/db/explain/run-explain.js';
import { connectPostgres, pgliteRunner, type ClosableRunner, type SqlRunner } from '../../src/db/runner.js';
import { cliPath, testPgUrl } from '../helpers.js';
import { uniqueSchema } from './plan-scenarios.js';

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const rejects = (code: string) => (e: unknown) =>
  isPerfloopError(e) && (e as PerfloopError).code === code && (e as PerfloopError).exitCode === 2;

/** EXPLAIN ANALYZE executes the statement: prove that perfloop's never changes a row. */
function safetySuite(name: string, open: () => Promise<{ runner: SqlRunner; close: () => Promise<void> }>) {
  describe(`explain safety on ${name}`, () => {
    let runner: SqlRunner;
    let close: () => Promise<void>;
    const schema = uniqueSchema('perfloop_safety');
    const snapshot = async () =>
      (
        await runner.query<{ n: number; s: number }>(
          `SELECT count(*)::int AS n, coalesce(sum(v), 0)::int AS s FROM ${schema}.t`,
        )
      ).rows[0];

    before(async () => {
      ({ runner, close } = await open());
      await runner.query(`CREATE SCHEMA ${schema}`);
      await runner.query(`CREATE TABLE ${schema}.t (id int PRIMARY KEY, v int NOT NULL)`);
      await runner.query(`INSERT INTO ${schema}.t SELECT g, g FROM generate_series(1, 1000) g`);
      await runner.query(`CREATE SEQUENCE ${schema}.s`);
    });
    after(async () => {
      await runner?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await close?.();
    });

    for (const sql of [
      'UPDATE S.t SET v = v + 1',
      'DELETE FROM S.t WHERE id > 10',
      'INSERT INTO S.t SELECT g + 5000, 1 FROM generate_series(1, 100) g',
    ]) {
      it(`${sql.split(' ')[0]} is executed (ANALYZE) and rolled back: no row changes`, async () => {
        const before = await snapshot();
        const r = await explainStatement(runner, sql.replace(/S\./g, `${schema}.`));
        assert.equal(r.analyzed, true);
        assert.equal(r.statement.readOnly, false);
        assert.equal(r.plan.root.nodeType, 'ModifyTable');
        assert.ok(r.plan.root.actual, 'the statement ran');
        assert.deepEqual(await snapshot(), before);
      });
    }

    it('a SELECT runs in a READ ONLY transaction: a write hidden in it fails and changes nothing', async () => {
      await assert.rejects(
        explainStatement(runner, `SELECT nextval('${schema}.s')`),
        /read-only transaction/,
      );
      const { last_value, is_called } = (
        await runner.query<{ last_value: number; is_called: boolean }>(
          `SELECT last_value::int, is_called FROM ${schema}.s`,
        )
      ).rows[0];
      assert.deepEqual([last_value, is_called], [1, false]);
    });

    it('refuses a second statement, DDL, EXPLAIN itself and bad syntax (exit 2), touching nothing', async () => {
      const before = await snapshot();
      await assert.rejects(
        explainStatement(runner, `SELECT 1; DELETE FROM ${schema}.t`),
        rejects('SQL_MULTIPLE'),
      );
      await assert.rejects(
        explainStatement(runner, `DROP TABLE ${schema}.t`),
        rejects('SQL_NOT_EXPLAINABLE'),
      );
      await assert.rejects(
        explainStatement(runner, `EXPLAIN ANALYZE DELETE FROM ${schema}.t`),
        rejects('SQL_NOT_EXPLAINABLE'),
      );
      await assert.rejects(explainStatement(runner, `SELEC * FROM ${schema}.t`), rejects('SQL_SYNTAX'));
      await assert.rejects(
        explainStatement(runner, `SELECT * FROM ${schema}.missing_table`),
        rejects('SQL_ERROR'),
      );
      assert.deepEqual(await snapshot(), before);
    });

    it('--no-analyze plans without executing', async () => {
      const r = await explainStatement(runner, `DELETE FROM ${schema}.t`, { analyze: false });
      assert.equal(r.analyzed, false);
      assert.equal(r.plan.analyzed, false);
    });
  });
}

safetySuite('PGlite', async () => {
  const db = await PGlite.create();
  return { runner: pgliteRunner(db), close: () => db.close() };
});

if (testPgUrl()) {
  safetySuite('PostgreSQL', async () => {
    const r: ClosableRunner = await connectPostgres(testPgUrl()!);
    return { runner: r, close: () => r.close() };
  });

  describe('perfloop explain --db (CLI)', () => {
    let runner: ClosableRunner;
    const schema = uniqueSchema('perfloop_cli');
    before(async () => {
      runner = await connectPostgres(testPgUrl()!);
      await runner.query(`CREATE SCHEMA ${schema}`);
      await runner.query(`CREATE TABLE ${schema}.t (id int PRIMARY KEY, v int NOT NULL)`);
      await runner.query(`INSERT INTO ${schema}.t SELECT g, g FROM generate_series(1, 1000) g`);
    });
    after(async () => {
      await runner?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await runner?.close();
    });

    it('analyses an UPDATE without changing a row, and prints the JSON contract', async () => {
      const r = await cli([
        'explain',
        '--db',
        testPgUrl()!,
        '--json',
        `UPDATE ${schema}.t SET v = 0 WHERE v > 10`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assert.equal(json.schema, 'perfloop/explain@1');
      assert.equal(json.plans.length, 1);
      assert.equal(typeof json.plans[0].planningMs, 'number');
      assert.equal(typeof json.plans[0].executionMs, 'number');
      assert.equal(json.plans[0].root.type, 'ModifyTable');
      assert.ok(Array.isArray(json.plans[0].findings) && Array.isArray(json.advice));
      const { n } = (
        await runner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.t WHERE v = 0`)
      ).rows[0];
      assert.equal(n, 0);
    });

    it('bad input is one line and exit 2: unreachable database, SQL syntax error', async () => {
      const down = await cli(['explain', '--db', 'postgres://nobody@127.0.0.1:1/none', 'SELECT 1']);
      assert.equal(down.code, 2);
      assert.match(down.stderr, /^perfloop: DB_UNREACHABLE: cannot connect/);
      assert.equal(down.stderr.trim().split('\n').length, 1);
      const syntax = await cli(['explain', '--db', testPgUrl()!, 'SELEC 1']);
      assert.equal(syntax.code, 2);
      assert.match(syntax.stderr, /^perfloop: SQL_SYNTAX: .*syntax error/);
      assert.equal(syntax.stderr.trim().split('\n').length, 1);
    });
  });
}

describe('perfloop explain (CLI, no database)', () => {
  it('--help states what runs and that nothing is committed', async () => {
    const r = await cli(['explain', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /READ ONLY transaction/);
    assert.match(r.stdout, /BEGIN … ROLLBACK/);
    assert.match(r.stdout, /never commits/);
    assert.match(r.stdout, /--allow-extension/);
    assert.match(r.stdout, /--no-analyze/);
  });

  it('a file that is not a plan: one line, exit 2', async () => {
    const r = await cli(['explain', cliPath]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^perfloop: PLAN_INVALID: /);
  });
});
