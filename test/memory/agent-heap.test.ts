import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentCollector } from '../../src/agent/collector.js';
import { diffHeapSnapshots, type HeapDiff } from '../../src/memory/heap-diff.js';
import { summariseHeapFile } from '../../src/memory/heap-summary.js';
import { repoRoot, tempDir } from '../helpers.js';
import { startTarget, type Target } from '../agent/target-fixture.js';

/**
 * An order service on node:http: each POST-like GET /order builds an order with lines and a customer
 * back-reference. LEAK=1 keeps every order in a module-level Map forever (the planted leak); otherwise only
 * the last 20 are kept (a bounded cache: the control).
 */
const SERVICE = String.raw`
import http from 'node:http';
const leak = process.env.LEAK === '1';
const orderHistory = new Map();
const recent = [];
let next = 0;
class OrderRecord {
  constructor(id) {
    this.id = id;
    this.customer = { name: 'customer ' + (id % 50), since: Date.now() };
    this.lines = Array.from({ length: 5 }, (_, i) => ({ sku: 'sku-' + ((id + i) % 300), qty: i + 1, note: 'line ' + id + '/' + i }));
  }
}
const server = http.createServer((req, res) => {
  const order = new OrderRecord(next++);
  if (leak) orderHistory.set(order.id, order);
  else {
    recent.push(order);
    if (recent.length > 20) recent.shift();
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: order.id }));
});
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;

const REQUESTS_PER_ROUND = 400;

async function heapSeries(leak: boolean, out: string): Promise<{ files: string[]; diff: HeapDiff }> {
  const dir = tempDir('perfloop-agent-heap-');
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'server.mjs'), SERVICE);
  const collector = await AgentCollector.listen({ sampleMs: 200 });
  let target: Target | undefined;
  try {
    target = await startTarget(dir, { ...collector.targetEnv(''), LEAK: leak ? '1' : '0' });
    await collector.waitForAgent(20_000);
    const files: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < REQUESTS_PER_ROUND; i += 20) await Promise.all(Array.from({ length: 20 }, () => target!.get('/order')));
      await collector.gc();
      const path = join(out, `${leak ? 'leak' : 'control'}-${round}.heapsnapshot`);
      await collector.heapSnapshot(path);
      files.push(path);
    }
    return { files, diff: await diffHeapSnapshots(files) };
  } finally {
    await target?.stop();
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('heap snapshots taken by the agent of a real node:http service', () => {
  const out = tempDir('perfloop-agent-heap-out-');
  let leaking: { files: string[]; diff: HeapDiff };
  let control: { files: string[]; diff: HeapDiff };
  before(async () => {
    leaking = await heapSeries(true, out);
    control = await heapSeries(false, out);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('diff names the planted leak — the module-level Map — with its retainer path', () => {
    const f = leaking.diff.findings.find((x) => x.rule === 'memory.unbounded-collection');
    assert.ok(f, leaking.diff.findings.map((x) => `${x.rule}: ${x.title}`).join('\n'));
    const evidence = JSON.stringify(f.evidence);
    assert.match(evidence, /orderHistory/);
    assert.match(String((f.evidence as { retainerPath?: string }).retainerPath), /Map/);
    // The objects allocated between the first two snapshots and still alive: the orders, under the Map.
    assert.ok(leaking.diff.leaks[0].count >= REQUESTS_PER_ROUND, JSON.stringify(leaking.diff.leaks[0]));
    const grown = leaking.diff.growing.find((g) => g.name === 'OrderRecord');
    assert.ok(grown && grown.countDelta >= 2 * REQUESTS_PER_ROUND * 0.95 && grown.monotonic, JSON.stringify(grown));
  });

  it('summary of the last snapshot lists the Map among the largest retainers, held by the module variable', async () => {
    const s = await summariseHeapFile(leaking.files[2]);
    const row = s.largestRetainers.find((r) => r.name === 'Map' && /orderHistory/.test(r.path));
    assert.ok(row, s.largestRetainers.map((r) => `${r.name} ${r.retainedSize} ${r.path}`).join('\n'));
    assert.equal(s.byConstructor.find((c) => c.name === 'OrderRecord')?.count, 3 * REQUESTS_PER_ROUND);
  });

  it('stays quiet on the control: no leak finding, the bounded cache does not grow', () => {
    const loud = control.diff.findings.filter((x) => x.severity !== 'low' && x.severity !== 'info');
    assert.deepEqual(
      loud.map((x) => `${x.rule}: ${x.title}`),
      [],
    );
    assert.ok(!control.diff.findings.some((x) => JSON.stringify(x.evidence).includes('recent')), control.diff.findings.map((x) => x.title).join('\n'));
    const grown = control.diff.growing.find((g) => g.name === 'OrderRecord');
    assert.ok(!grown || grown.countDelta <= 0, JSON.stringify(grown));
  });
});
