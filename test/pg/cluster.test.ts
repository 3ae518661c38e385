// Checks the PostgreSQL test cluster that scripts/run-tests.mjs or .ci/run started: other DB tests
// rely on exactly these properties (version 15, pg_stat_statements, auto_explain; hypopg optional).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { testPgUrl } from '../helpers.js';

const url = testPgUrl();
const skip = url ? false : 'PERFLOOP_TEST_PG is not set (no PostgreSQL test cluster); skipping';

describe('PostgreSQL test cluster', { skip }, () => {
  let client: pg.Client;

  before(async () => {
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  after(async () => {
    await client?.end();
  });

  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => {
    const result = await client.query(sql, params);
    assert.equal(result.rows.length, 1, `expected one row from: ${sql}`);
    return result.rows[0] as T;
  };

  test('runs PostgreSQL 15', async () => {
    const row = await one<{ server_version_num: string }>('SHOW server_version_num');
    assert.match(row.server_version_num, /^15\d{4}$/);
  });

  test('pg_stat_statements records a query we ran', async () => {
    // a fresh alias gives a new query id, so an entry left by an earlier run cannot satisfy this
    const marker = `perfloop_probe_${randomBytes(6).toString('hex')}`;
    await client.query(`SELECT $1::int + 1 AS ${marker}`, [41]);
    await client.query(`SELECT $1::int + 1 AS ${marker}`, [1]);
    const row = await one<{ calls: string; rows: string; query: string }>(
      `SELECT calls::text, rows::text, query FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND query LIKE $1`,
      [`%${marker}%`],
    );
    assert.equal(row.calls, '2');
    assert.equal(row.rows, '2');
    // the literal 1 is normalised into a second placeholder: the view fingerprints queries
    assert.match(row.query, /\$1::int \+ \$2/);
    const track = await one<{ 'pg_stat_statements.track': string }>('SHOW pg_stat_statements.track');
    assert.equal(track['pg_stat_statements.track'], 'all');
  });

  test('auto_explain is preloaded', async () => {
    const row = await one<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries');
    const libraries = row.shared_preload_libraries.split(',').map((name) => name.trim());
    assert.ok(
      libraries.includes('auto_explain'),
      `shared_preload_libraries = ${row.shared_preload_libraries}`,
    );
    // a loaded module defines typed settings; an unloaded one would at most leave a string placeholder
    const setting = await one<{ vartype: string }>(
      "SELECT vartype FROM pg_settings WHERE name = 'auto_explain.log_analyze'",
    );
    assert.equal(setting.vartype, 'bool');
  });

  test('reports whether hypopg is available', async (t) => {
    const result = await client.query<{ installed: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS installed
         FROM pg_available_extensions WHERE name = 'hypopg'`,
    );
    const state =
      result.rows.length === 0
        ? 'not available'
        : result.rows[0]!.installed
          ? 'installed'
          : 'available, not created';
    t.diagnostic(`hypopg: ${state}`);
    assert.ok(['not available', 'installed', 'available, not created'].includes(state));
  });
});
