/**
 * Regenerates test/fixtures/db/plans/: every plan scenario explained for real, in JSON and text, on
 * PostgreSQL 15 (the test cluster) and on PGlite (PostgreSQL 18), plus psql's framed output of one plan.
 *
 *   PERFLOOP_TEST_PG=postgres://… node dist/test/db/make-plan-fixtures.js --write
 *
 * Without --write it does nothing (a test runner that picks up every file under test/ must not rewrite fixtures).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { inTransaction } from '../../src/db/explain/run-explain.js';
import { connectPostgres, pgliteRunner, type SqlRunner } from '../../src/db/runner.js';
import { fixture } from '../helpers.js';
import { createScenarioTables, PLAN_SCENARIOS, scenarioSql, type PlanScenario } from './plan-scenarios.js';

const outDir = fixture('db', 'plans');
const SCHEMA = 'plans';

async function explainBoth(runner: SqlRunner, s: PlanScenario): Promise<{ json: string; text: string }> {
  const sql = scenarioSql(s, SCHEMA);
  const run = (format: string) =>
    inTransaction(runner, true, 60_000, s.settings, async () => {
      const r = await runner.query<Record<string, unknown>>(
        `EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT ${format}) ${sql}`,
      );
      return r.rows;
    });
  const json = (await run('JSON'))[0]['QUERY PLAN'];
  const text = (await run('TEXT')).map((r) => r['QUERY PLAN']).join('\n');
  return {
    json: `${JSON.stringify(typeof json === 'string' ? JSON.parse(json) : json, null, 2)}\n`,
    text: `${text}\n`,
  };
}

async function generate(
  runner: SqlRunner,
  version: string,
  scenarios: readonly PlanScenario[],
): Promise<void> {
  await createScenarioTables(runner, SCHEMA, { big: runner.kind === 'pg' });
  try {
    for (const s of scenarios) {
      const { json, text } = await explainBoth(runner, s);
      writeFileSync(join(outDir, `${s.name}.${version}.json`), json);
      writeFileSync(join(outDir, `${s.name}.${version}.txt`), text);
      process.stderr.write(`wrote ${s.name}.${version}\n`);
    }
  } finally {
    if (runner.kind === 'pg') await runner.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  }
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const url = process.env.PERFLOOP_TEST_PG;
  if (!url) throw new Error('set PERFLOOP_TEST_PG');
  const pg = await connectPostgres(url);
  try {
    await generate(pg, 'pg15', PLAN_SCENARIOS);
    // psql's own framing (header, dashes, `+` marks, row count), as users paste it
    await createScenarioTables(pg, SCHEMA, { big: false });
    const s = PLAN_SCENARIOS.find((x) => x.name === 'seq-scan-filter')!;
    for (const format of ['TEXT', 'JSON']) {
      const r = spawnSync(
        'psql',
        ['-X', url, '-c', `EXPLAIN (ANALYZE, BUFFERS, FORMAT ${format}) ${scenarioSql(s, SCHEMA)}`],
        {
          encoding: 'utf8',
          env: { ...process.env, PGOPTIONS: '-c max_parallel_workers_per_gather=0' },
        },
      );
      if (r.status !== 0) throw new Error(r.stderr);
      writeFileSync(join(outDir, `seq-scan-filter.pg15.psql-${format.toLowerCase()}.txt`), r.stdout);
    }
    await pg.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  } finally {
    await pg.close();
  }
  const db = await PGlite.create();
  try {
    await generate(
      pgliteRunner(db),
      'pg18',
      PLAN_SCENARIOS.filter((s) => s.pglite),
    );
  } finally {
    await db.close();
  }
}

if (process.argv.includes('--write')) await main();
else process.stderr.write('make-plan-fixtures: pass --write to regenerate test/fixtures/db/plans/\n');
