import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder } from '../../src/core/profile.js';
import { withoutAgentWork } from '../../src/loop/agent-work.js';

test('samples caused by the agent (a mid-run heap snapshot) are dropped; the service’s samples stay in order', () => {
  const b = new ProfileBuilder({ format: 'test' }, 'us', { timed: true });
  const handler = b.frame({ name: 'handle', file: '/srv/app.js' });
  const agentCmd = b.frame({ name: 'heapSnapshot', file: '/opt/perfloop/dist/src/agent/commands.js' });
  const native = b.frame({ name: 'triggerHeapSnapshot' });
  const work = b.frame({ name: 'work', file: '/srv/app.js' });
  // the agent's request wrapper sits under every request: those samples are the service's
  const wrapper = b.frame({ name: 'emit', file: '/opt/perfloop/dist/src/agent/request-context.js' });
  b.sample(b.stack([wrapper, handler, work]), 10, 0);
  b.sample(b.stack([agentCmd, native]), 500, 10);
  b.sample(b.stack([handler]), 5, 510);
  const p = withoutAgentWork(b.build(), { agentDir: '/opt/perfloop/dist/src/agent' });
  assert.equal(p.sampleCount, 2);
  assert.equal(p.totalWeight, 15);
  assert.deepEqual(Array.from(p.sampleTime!), [0, 510]);
  assert.deepEqual(
    p.stackOf(p.sampleNode[0]).map((f) => p.frames[f].name),
    ['emit', 'handle', 'work'],
  );
});

test('samples inside the agent’s own-work windows (a forced GC) are dropped wherever their stack is', () => {
  const b = new ProfileBuilder({ format: 'test' }, 'us', { timed: true });
  const gc = b.frame({ name: '(garbage collector)' });
  const handler = b.frame({ name: 'handle', file: '/srv/app.js' });
  b.sample(b.stack([handler]), 100, 0);
  b.sample(b.stack([gc]), 100, 100); // the service's own GC
  b.sample(b.stack([gc]), 100, 1000); // forced by the agent: 1000 … 1250
  b.sample(b.stack([gc]), 100, 1100);
  b.sample(b.stack([handler]), 100, 1300);
  b.sample(b.stack([gc]), 100, 5000); // forced again: 4990 … 5010
  const p = withoutAgentWork(b.build(), {
    agentDir: '/opt/perfloop/dist/src/agent',
    ownWork: [
      [4990, 5010],
      [1000, 1250],
    ],
  });
  assert.deepEqual(Array.from(p.sampleTime!), [0, 100, 1300]);
  assert.deepEqual(
    Array.from(p.sampleNode).map((n) => p.frames[p.nodeFrame[n]].name),
    ['handle', '(garbage collector)', 'handle'],
  );
});
