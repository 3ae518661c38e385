// scripts/pg-test-cluster.sh end to end: start a second cluster beside the shared one (its own state
// file), use it, stop it twice. Skips where the PostgreSQL 15 server binaries are not installed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { repoRoot, tempDir } from '../helpers.js';

const run = promisify(execFile);
const script = join(repoRoot, 'scripts', 'pg-test-cluster.sh');
const pgBin = process.env.PERFLOOP_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const skip = existsSync(join(pgBin, 'initdb')) ? false : `no PostgreSQL 15 binaries in ${pgBin}; skipping`;

const stateDir = tempDir('perfloop-pg-script-test-');
const env = { ...process.env, PERFLOOP_PG_STATE: join(stateDir, 'pg.state') };
const cluster = (command: string) => run('bash', [script, command], { env, timeout: 90_000 });
const stateValue = (key: string) =>
  readFileSync(env.PERFLOOP_PG_STATE, 'utf8').match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1];

after(async () => {
  await cluster('stop').catch(() => undefined); // leave nothing behind even when a test failed
  rmSync(stateDir, { recursive: true, force: true });
});

test(
  'start prints only the URL, the cluster works, stop removes it and is idempotent',
  { skip },
  async () => {
    const started = await cluster('start');
    assert.match(started.stdout, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/perfloop_test\n$/);
    const url = started.stdout.trim();
    const port = Number(new URL(url).port);
    assert.equal(stateValue('PORT'), String(port));
    const dataRoot = stateValue('DIR');
    assert.ok(dataRoot && existsSync(join(dataRoot, 'data', 'postmaster.pid')), `cluster folder ${dataRoot}`);

    // a second start with the same state file reuses the running cluster
    assert.equal((await cluster('start')).stdout.trim(), url);
    assert.equal((await cluster('url')).stdout.trim(), url);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ extname: string }>('SELECT extname FROM pg_extension');
      assert.ok(rows.some((row) => row.extname === 'pg_stat_statements'));
      const listen = await client.query<{ listen_addresses: string }>('SHOW listen_addresses');
      assert.equal(listen.rows[0]!.listen_addresses, '127.0.0.1');
    } finally {
      await client.end();
    }

    await cluster('stop');
    assert.equal(existsSync(dataRoot), false, 'stop removes the cluster folder');
    assert.equal(existsSync(env.PERFLOOP_PG_STATE), false, 'stop removes the state file');
    await cluster('stop'); // nothing running: still exit code 0
    await assert.rejects(cluster('url'), /no running test cluster/);
  },
);
