import assert from 'node:assert/strict';
import { openSync, readFileSync, readSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentCollector } from '../../src/agent/collector.js';
import { tempDir } from '../helpers.js';
import { startTarget, waitFor, writeTargetDir, type Target } from './target-fixture.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

describe('agent ↔ collector against a real node:http + PGlite service', () => {
  let collector: AgentCollector;
  let target: Target;
  let dir: string;
  const out = tempDir('perfloop-agent-out-');

  before(async () => {
    dir = writeTargetDir();
    collector = await AgentCollector.listen({ sampleMs: 50 });
    target = await startTarget(dir, collector.targetEnv(''));
    await collector.waitForAgent(20_000);
  });

  after(async () => {
    await target?.stop();
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('says hello from the serving process', async () => {
    const { body } = await target.get('/pid');
    assert.equal(collector.connected, true);
    assert.equal(collector.hello?.pid, (body as { pid: number }).pid);
    assert.equal(collector.hello?.nodeVersion, process.version);
    assert.equal(collector.helloCount, 1);
    assert.ok(
      collector.hello?.drivers?.includes('@electric-sql/pglite (esm)'),
      'patched the ESM PGlite the target imported',
    );
  });

  it('streams samples with memory, event-loop delay and GC fields', async () => {
    const sample = await waitFor(
      'two samples',
      () => collector.samples.length >= 2 && collector.samples.at(-1),
    );
    assert.ok(sample.heapUsed > 0 && sample.heapTotal >= sample.heapUsed && sample.rss > 0);
    for (const key of ['min', 'mean', 'p50', 'p99', 'max'] as const) {
      assert.equal(typeof sample.eventLoopDelay[key], 'number');
      assert.ok(sample.eventLoopDelay[key] >= 0);
    }
    assert.equal(typeof sample.gc.count, 'number');
    assert.ok(Array.isArray(sample.pools));
  });

  it('captures PGlite queries with text, rows and the request they ran under', async () => {
    const { status } = await target.get('/x?page=1');
    assert.equal(status, 200);
    const text = 'SELECT id, name FROM items WHERE id <= $1 ORDER BY id';
    const query = await waitFor('the /x query', () => collector.queries.find((q) => q.text === text));
    assert.equal(query.rows, 3);
    assert.equal(query.driver, 'pglite');
    assert.equal(query.request, 'GET /x?page=1');
    assert.ok(query.durationMs >= 0);
    const request = await waitFor('the /x request', () =>
      collector.requests.find((r) => r.url === '/x?page=1'),
    );
    assert.deepEqual([request.method, request.status, request.id], ['GET', 200, query.requestId]);
  });

  it('runs EXPLAIN and index checks on the database the target uses, always rolled back, not captured', async () => {
    await target.get('/x?page=1'); // the target has used its PGlite instance
    const before = collector.queries.length;
    const r = await collector.dbRollbackRun([
      'CREATE INDEX perfloop_probe_idx ON items (name)',
      "EXPLAIN (FORMAT JSON) SELECT * FROM items WHERE name = 'item 3'",
      "SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'perfloop_probe_idx'",
    ]);
    assert.equal(r.driver, 'pglite');
    assert.equal(r.results.length, 3);
    const plan = (r.results[1][0] as Record<string, unknown>)['QUERY PLAN'] as {
      Plan: { 'Node Type': string };
    }[];
    assert.ok(plan[0].Plan['Node Type'], 'a JSON plan came back');
    assert.deepEqual(r.results[2], [{ n: 1 }], 'the index existed inside the transaction');
    // rolled back: the index is gone afterwards
    const after = await collector.dbRollbackRun([
      "SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'perfloop_probe_idx'",
    ]);
    assert.deepEqual(after.results[0], [{ n: 0 }]);
    await new Promise((ok) => setTimeout(ok, 200));
    assert.ok(
      !collector.queries.slice(before).some((q) => /perfloop_probe_idx|EXPLAIN/.test(q.text)),
      'not recorded as the target’s queries',
    );
  });

  it('captures sql`` templates and queries inside transaction()', async () => {
    await target.get('/sql');
    await target.get('/tx');
    const sql = await waitFor('sql template', () =>
      collector.queries.find((q) => q.text === 'SELECT count(*)::int AS n FROM items WHERE id > $1'),
    );
    assert.deepEqual([sql.rows, sql.request], [1, 'GET /sql']);
    const update = await waitFor('tx.query', () =>
      collector.queries.find((q) => q.text.startsWith('UPDATE items')),
    );
    assert.deepEqual([update.rows, update.request], [4, 'GET /tx']);
  });

  it('records a failing query and passes its error through to the target', async () => {
    const { status, body } = await target.get('/fail');
    assert.equal(status, 200);
    assert.match((body as { failed: string }).failed, /syntax error/);
    const failed = await waitFor('failed query', () =>
      collector.queries.find((q) => q.text === 'SELEC broken'),
    );
    assert.match(failed.error ?? '', /syntax error/);
    assert.equal(failed.rows, 0);
    assert.equal((await target.get('/x')).status, 200);
  });

  it('writes a CPU profile in which the busy function has samples', async () => {
    await collector.startProfile(1000);
    for (let i = 0; i < 3; i++) await target.get('/busy');
    const path = join(out, 'busy.cpuprofile');
    const result = await collector.stopProfile(path);
    const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
    assert.equal(result.path, path);
    assert.equal(result.samples, profile.samples.length);
    assert.ok(profile.endTime > profile.startTime);
    assert.equal(profile.timeDeltas.length, profile.samples.length);
    const busyIds = new Set(
      profile.nodes.filter((n) => n.callFrame.functionName === 'perfloopBusyLoop').map((n) => n.id),
    );
    assert.ok(busyIds.size > 0, 'perfloopBusyLoop is in the profile');
    assert.ok(profile.samples.filter((id) => busyIds.has(id)).length > 0, 'perfloopBusyLoop has samples');
  });

  it('a CPU profile comes back with the windows of the agent’s own work (a forced GC) in profile time', async () => {
    await collector.startProfile(1000);
    await target.get('/busy');
    await collector.gc();
    await target.get('/busy');
    const path = join(out, 'gc.cpuprofile');
    const result = await collector.stopProfile(path);
    const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
    const span = profile.endTime - profile.startTime;
    // The forced GC, then the stop command itself at the profile's very end.
    assert.equal(result.ownWork?.length, 2, JSON.stringify(result.ownWork));
    const [start, end] = result.ownWork![0];
    assert.ok(result.ownWork![1][0] > end, 'in order');
    assert.ok(start > 0 && end > start && end < span, `window ${start}…${end} in a ${span} µs profile`);
    // The window lies between the two busy requests: ≥ 150 ms of busy samples before it.
    assert.ok(start >= 140_000, `after the first busy request: ${start} µs`);
  });

  it('writes a sampling heap profile', async () => {
    await collector.startHeapSampling(1024);
    await target.get('/x');
    const path = join(out, 'heap.heapprofile');
    assert.deepEqual(await collector.stopHeapSampling(path), { path });
    const profile = JSON.parse(readFileSync(path, 'utf8')) as {
      head: { callFrame: unknown; children: unknown[] };
    };
    assert.ok(profile.head.callFrame && Array.isArray(profile.head.children));
  });

  it('writes a heap snapshot after a GC', async () => {
    await collector.gc();
    const path = join(out, 'target.heapsnapshot');
    assert.deepEqual(await collector.heapSnapshot(path), { path });
    const fd = openSync(path, 'r');
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    closeSync(fd);
    assert.equal(head.toString(), '{"snapshot":');
  });

  it('reports a failed command as AGENT_COMMAND_FAILED', async () => {
    await assert.rejects(collector.command('stopProfile', {}), { code: 'AGENT_COMMAND_FAILED' });
    await assert.rejects(collector.command('noSuchCommand'), /unknown command/);
  });

  it('clearWindow forgets what was collected so far', async () => {
    assert.ok(collector.queries.length > 0);
    collector.clearWindow();
    assert.deepEqual(
      [collector.samples.length, collector.queries.length, collector.requests.length],
      [0, 0, 0],
    );
    await target.get('/x?after=clear');
    await waitFor('new query', () => collector.queries.find((q) => q.request === 'GET /x?after=clear'));
    assert.ok(collector.queries.every((q) => q.request !== 'GET /x?page=1'));
  });
});
