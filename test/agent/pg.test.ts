import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AgentCollector } from '../../src/agent/collector.js';
import { testPgUrl } from '../helpers.js';
import { NO_DB, startTarget, waitFor, writeTargetDir, type Target } from './target-fixture.js';

/** node-postgres capture (pg is CommonJS, loaded by the ESM target through pg's ESM wrapper). */
describe(
  'agent query capture for pg.Pool',
  { skip: testPgUrl() ? false : 'PERFLOOP_TEST_PG is not set' },
  () => {
    let dir: string;
    let collector: AgentCollector;
    let target: Target;

    before(async () => {
      dir = writeTargetDir();
      collector = await AgentCollector.listen({ sampleMs: 50 });
      target = await startTarget(dir, {
        ...collector.targetEnv(''),
        ...NO_DB,
        PERFLOOP_TEST_PG: testPgUrl()!,
      });
      await collector.waitForAgent(20_000);
    });

    after(async () => {
      await target?.stop();
      await collector?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('captures promise and callback queries with rows and request, and pool gauges', async () => {
      const { status, body } = await target.get('/pg');
      assert.equal(status, 200);
      assert.deepEqual(body, { a: 4, b: 7, pools: 1 });
      const series = await waitFor('series query', () =>
        collector.queries.find((q) => q.text === 'SELECT generate_series(1, 4) AS n'),
      );
      assert.deepEqual([series.driver, series.rows, series.request], ['pg', 4, 'GET /pg']);
      const withCallback = await waitFor('callback query', () =>
        collector.queries.find((q) => q.text === 'SELECT $1::int AS v'),
      );
      assert.deepEqual(
        [withCallback.rows, withCallback.request, withCallback.requestId],
        [1, 'GET /pg', series.requestId],
      );
      const sample = await waitFor('pool gauge', () => collector.samples.find((s) => s.pools.length > 0));
      assert.equal(sample.pools.length, 1);
      assert.ok(sample.pools[0]!.total >= 1 && sample.pools[0]!.total <= 2);
    });

    it("an exception in the target's own pg callback reaches the target, which keeps serving", async () => {
      assert.equal((await target.get('/pg-throw')).status, 200);
      await waitFor('target handler', () => target.stderr().includes('target caught: boom in pg callback'));
      const query = await waitFor('query', () => collector.queries.find((q) => q.text === 'SELECT 1 AS one'));
      assert.equal(query.rows, 1);
      assert.equal((await target.get('/pg')).status, 200);
      assert.equal(target.child.exitCode, null);
    });
  },
);
