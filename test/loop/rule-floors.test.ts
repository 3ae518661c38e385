import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runService } from '../../src/loop/run-service.js';
import { findEventLoopBlocked } from '../../src/loop/rules/event-loop.js';
import type { AgentSample } from '../../src/agent/collector.js';
import { tempDir } from '../helpers.js';
import { freePort } from '../../src/target/free-port.js';

/**
 * `http.event-loop-blocked` on real services started by perfloop with its agent: one whose handler spins the
 * CPU synchronously for 25 ms (the loop is blocked), one that answers after an asynchronous 25 ms timer (a
 * slow but healthy loop). The rule must fire on the first and stay quiet on the second.
 */

async function measure(handler: string) {
  const dir = tempDir('perfloop-rule-');
  writeFileSync(
    join(dir, 'server.js'),
    `require('node:http').createServer((q, r) => { ${handler} }).listen(Number(process.env.PORT), '127.0.0.1');`,
  );
  const port = await freePort();
  const { record } = await runService({
    target: 'node server.js',
    cwd: dir,
    env: { PORT: String(port) },
    readyTimeoutMs: 300_000,
    requests: [{ url: `http://127.0.0.1:${port}/` }],
    vus: 4,
    durationS: 5,
    warmupS: 0.5,
    label: 'rule floors',
    outDir: join(dir, 'out'),
    storePath: null,
    profile: true,
    samplingIntervalUs: 1000,
    command: 'test',
  });
  return record;
}

test('http.event-loop-blocked fires on synchronous work in the handler and stays quiet on a healthy slow one', async () => {
  const [blocked, healthy] = await Promise.all([
    measure(`const end = Date.now() + 25; while (Date.now() < end); r.end('ok');`),
    measure(`setTimeout(() => r.end('ok'), 25);`),
  ]);
  const rule = (r: typeof blocked) => r.findings.find((f) => f.rule === 'http.event-loop-blocked');
  const fired = rule(blocked);
  assert.ok(fired, `blocked: ${JSON.stringify(blocked.metrics.event_loop_delay)} latency ${blocked.metrics.http_req_duration.mean} ms, cpu ${blocked.metrics.cpu?.meanPct} %`);
  assert.ok((fired.evidence as { sharePct: number }).sharePct >= 10);
  assert.equal(rule(healthy), undefined, `healthy: ${JSON.stringify(rule(healthy)?.evidence)}`);
});

const sample = (t: number, mean: number): AgentSample =>
  ({
    t,
    heapUsed: 0,
    heapTotal: 0,
    external: 0,
    rss: 0,
    eventLoopDelay: { min: 0, mean, p50: mean, p99: mean * 4, max: mean * 8 },
    heapAfterGc: null,
    gc: { count: 0, pauseMs: 0, maxPauseMs: 0 },
    pools: [],
  }) as AgentSample;
const latency = (mean: number) => ({ p50: mean, p90: mean, p95: mean, p99: mean, max: mean, mean, count: 1000 });

test('http.event-loop-blocked floors: too few samples, a small absolute delay or a small share stay quiet', () => {
  const series = (n: number, mean: number) => Array.from({ length: n }, (_, i) => sample(1000 + i * 250, mean));
  assert.equal(findEventLoopBlocked(series(40, 20), latency(60)).length, 1, 'enough evidence, 20 ms of 60 ms');
  assert.equal(findEventLoopBlocked(series(5, 20), latency(60)).length, 0, 'too few samples');
  assert.equal(findEventLoopBlocked(series(40, 2), latency(8)).length, 0, 'under the 5 ms absolute floor');
  assert.equal(findEventLoopBlocked(series(40, 6), latency(200)).length, 0, 'a 3 % share explains nothing');
});

test('http.event-loop-blocked weighs a block by the time it covers: one 100 ms tick among idle ones is most arrivals’ wait', () => {
  // Ten ticks per window: one delayed 100 ms, nine on time. The plain mean (10 ms) undercounts it; a request
  // arriving at a random moment lands in the block 100/(100 + 10·10) = half the time and waits ~50 ms there.
  const d = { min: 0, mean: 10, meanSquare: (100 * 100) / 10, p50: 0, p99: 100, max: 100 };
  const samples = Array.from({ length: 20 }, (_, i) => ({ ...sample(1000 + i * 250, 0), eventLoopDelay: d }));
  const [f] = findEventLoopBlocked(samples, latency(100));
  assert.ok(f);
  assert.equal((f.evidence as { meanDelayMs: number }).meanDelayMs, 25, 'E[d²] / (2 (10 + E[d])) = 1000 / 40');
});
