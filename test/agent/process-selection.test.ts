import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AgentCollector } from '../../src/agent/collector.js';
import { NO_DB, startTarget, waitFor, writeTargetDir, type Target } from './target-fixture.js';

/** NODE_OPTIONS reaches every node process of a wrapper chain; only the one that serves may connect. */
describe('agent process selection', () => {
  let dir: string;
  const collectors: AgentCollector[] = [];
  const targets: Target[] = [];

  before(() => {
    dir = writeTargetDir();
  });

  after(async () => {
    for (const t of targets) await t.stop();
    for (const c of collectors) await c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects exactly one agent, from the serving node, behind sh -c "node wrapper.mjs"', async () => {
    const collector = await AgentCollector.listen({ sampleMs: 50 });
    collectors.push(collector);
    // sh → node wrapper.mjs (agent preloaded, never listens) → node server.mjs (listens).
    const target = await startTarget(dir, { ...collector.targetEnv(''), ...NO_DB }, [
      'sh',
      '-c',
      `"${process.execPath}" wrapper.mjs`,
    ]);
    targets.push(target);
    const { pid } = await collector.waitForAgent(20_000);
    const served = (await target.get('/pid')).body as { pid: number; ppid: number };
    assert.equal(pid, served.pid);
    assert.equal(collector.hello?.ppid, served.ppid);
    assert.notEqual(pid, target.child.pid, 'not the sh process');
    assert.notEqual(served.ppid, target.child.pid, "not sh's child either: that is the wrapper node");
    await waitFor('the /pid request', () => collector.requests.find((r) => r.url === '/pid'));
    assert.equal(collector.helloCount, 1);
  });

  it('keeps the first serving process and turns a second one away; both keep serving', async () => {
    const collector = await AgentCollector.listen({ sampleMs: 50 });
    collectors.push(collector);
    const first = await startTarget(dir, { ...collector.targetEnv(''), ...NO_DB });
    targets.push(first);
    const { pid } = await collector.waitForAgent(20_000);
    const second = await startTarget(dir, { ...collector.targetEnv(''), ...NO_DB });
    targets.push(second);
    await waitFor('second hello', () => collector.helloCount === 2);
    assert.equal(collector.hello?.pid, pid);
    assert.equal((await second.get('/pid?from=second')).status, 200);
    assert.equal((await first.get('/pid?from=first')).status, 200);
    await waitFor('first request', () => collector.requests.find((r) => r.url === '/pid?from=first'));
    assert.ok(collector.requests.every((r) => r.url !== '/pid?from=second'));
  });

  it('stays dormant without PERFLOOP_AGENT_SOCKET, and rejects waitForAgent with AGENT_NOT_CONNECTED', async () => {
    const collector = await AgentCollector.listen();
    collectors.push(collector);
    const { NODE_OPTIONS } = collector.targetEnv('');
    const target = await startTarget(dir, {
      NODE_OPTIONS: NODE_OPTIONS!,
      PERFLOOP_AGENT_SOCKET: '',
      ...NO_DB,
    });
    targets.push(target);
    assert.equal((await target.get('/busy')).status, 200);
    await assert.rejects(collector.waitForAgent(300), { code: 'AGENT_NOT_CONNECTED', exitCode: 1 });
    assert.equal(collector.helloCount, 0);
  });
});
