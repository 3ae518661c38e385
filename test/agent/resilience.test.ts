import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentCollector } from '../../src/agent/collector.js';
import { tempDir } from '../helpers.js';
import { NO_DB, startTarget, writeTargetDir, type Target } from './target-fixture.js';

/** The agent runs inside the user's service: whatever happens to perfloop, the service keeps serving. */
describe('agent resilience', () => {
  let dir: string;
  const targets: Target[] = [];
  const collectors: AgentCollector[] = [];
  const scratch = tempDir('perfloop-agent-scratch-');

  before(() => {
    dir = writeTargetDir();
  });

  after(async () => {
    for (const t of targets) await t.stop();
    for (const c of collectors) await c.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the target keeps answering after the collector (and its socket) disappears mid-profile', async () => {
    const collector = await AgentCollector.listen({ sampleMs: 20 });
    collectors.push(collector);
    const target = await startTarget(dir, { ...collector.targetEnv(''), ...NO_DB });
    targets.push(target);
    await collector.waitForAgent(20_000);
    await collector.startProfile(100);
    await collector.close();
    await assert.rejects(collector.command('gc'), { code: 'AGENT_NOT_CONNECTED' });
    for (let i = 0; i < 20; i++) {
      assert.equal((await target.get(i % 2 ? '/pid' : '/busy')).status, 200);
    }
    assert.equal(target.child.exitCode, null);
    assert.equal(target.child.signalCode, null);
  });

  it('the target starts and serves when the collector socket does not exist', async () => {
    const collector = await AgentCollector.listen();
    collectors.push(collector);
    const env = collector.targetEnv('');
    const target = await startTarget(dir, {
      ...env,
      PERFLOOP_AGENT_SOCKET: join(scratch, 'missing.sock'),
      ...NO_DB,
    });
    targets.push(target);
    for (let i = 0; i < 5; i++) assert.equal((await target.get('/busy')).status, 200);
  });

  it('rejects pending commands when the agent goes away', async () => {
    const collector = await AgentCollector.listen();
    collectors.push(collector);
    const target = await startTarget(dir, { ...collector.targetEnv(''), ...NO_DB });
    targets.push(target);
    await collector.waitForAgent(20_000);
    // Killed right after the command is sent: a GC + heap snapshot cannot finish first.
    const rejected = assert.rejects(
      collector.command('heapSnapshot', { path: join(scratch, 'never.heapsnapshot') }),
      {
        code: 'AGENT_DISCONNECTED',
        exitCode: 1,
      },
    );
    await target.stop();
    await rejected;
    assert.equal(collector.connected, false);
  });
});
