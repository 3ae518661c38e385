import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { finishSeedStatements, seedSql } from '../../demo/seed.js';
import { analyseRunDatabase } from '../../src/db/run-database.js';
import { pgliteRunner } from '../../src/db/runner.js';
import { readAgentCaptures } from '../../src/db/sources/agent-capture.js';
import { fixture } from '../helpers.js';

/**
 * The database step of `perfloop run` on the demo: real captures of a baseline run and of a run with the
 * n-plus-one and missing-index fixes, explained against the demo's PGlite database.
 */
describe('database analysis of demo runs (PGlite)', () => {
  let db: PGlite;
  before(async () => {
    db = await PGlite.create();
    await db.exec(seedSql);
    for (const s of finishSeedStatements) await db.exec(s);
  });
  after(async () => db?.close());

  const poolSamples = Array.from({ length: 12 }, (_, i) => ({
    t: i * 250,
    pools: [{ id: 'pool-1', total: 10, idle: 0, waiting: i % 3 === 0 ? 0 : 4 }],
  }));

  it('baseline: the N+1 with its request and the missing index with the fix, in findings and in the report section', async () => {
    const capture = await readAgentCaptures(fixture('db', 'run'));
    const r = await analyseRunDatabase({ ...capture, runner: pgliteRunner(db), samples: poolSamples });
    const rules = r.findings.map((f) => f.rule);
    assert.ok(rules.includes('db.n-plus-one'));
    const missing = r.findings.filter((f) => f.rule === 'db.missing-index' && f.evidence.table === 'orders');
    assert.equal(missing.length, 1, 'one finding per index, whichever statements it helps');
    assert.deepEqual(missing[0].evidence.columns, ['customer_id']);
    assert.equal(missing[0].severity, 'critical');
    assert.ok(rules.includes('db.pool-saturation'));
    assert.equal(r.explained.length, 3);
    assert.equal(r.explained[0].analyzed, true);
    assert.equal(
      await db
        .query(`SELECT 1 FROM pg_indexes WHERE indexname = 'orders_customer_id_idx'`)
        .then((x) => x.rows.length),
      0,
      'advice left no index behind',
    );
    const md = r.markdown;
    assert.match(md, /^### Database Performance Analysis\n/);
    assert.match(md, /#### Slow Query 1: SELECT orders by customer_id/);
    assert.match(md, /\*\*Execution Plan\*\* \(EXPLAIN \(ANALYZE, BUFFERS\)/);
    assert.match(md, /Seq Scan on orders/);
    assert.match(md, /\| Issue \| Impact \| Solution \|/);
    assert.match(md, /CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders \(customer_id\);/);
    assert.match(
      md,
      /GET \/api\/customers\/top — e\.g\. `GET \/api\/customers\/top\?limit=40`: 40 queries per request/,
    );
    assert.match(md, /customer_id = ANY\(\$1\)/);
    assert.match(md, /\*\*Connection Pool Tuning\*\*/);
  });

  it('after the fixes: no N+1 and no missing index on orders', async () => {
    await db.exec('CREATE INDEX orders_customer_id_idx ON orders (customer_id)');
    try {
      const capture = await readAgentCaptures(fixture('db', 'run-fixed'));
      const r = await analyseRunDatabase({ ...capture, runner: pgliteRunner(db) });
      assert.ok(!r.findings.some((f) => f.rule === 'db.n-plus-one'));
      assert.ok(!r.findings.some((f) => f.rule === 'db.missing-index' && f.evidence.table === 'orders'));
      assert.ok(
        !r.findings.some(
          (f) =>
            f.rule === 'db.seq-scan-filter' &&
            (f.evidence.node as { relation?: string }).relation === 'orders',
        ),
      );
      assert.match(r.markdown, /N\+1 Query Detection\*\*:\n\nNone/);
      assert.equal(r.pool, null);
    } finally {
      await db.exec('DROP INDEX orders_customer_id_idx');
    }
  });

  it('without a database: top queries and N+1 only', async () => {
    const capture = await readAgentCaptures(fixture('db', 'run'));
    const r = await analyseRunDatabase(capture);
    assert.deepEqual(r.explained, []);
    assert.deepEqual([...new Set(r.findings.map((f) => f.rule))].sort(), ['db.n-plus-one']);
  });
});
