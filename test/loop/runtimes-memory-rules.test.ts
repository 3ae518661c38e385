/**
 * The runtime memory rules (`memory.growth`, `go.goroutine-growth`, `jvm.gc-pressure`) on evidence captured from
 * the real test services: each fires on the variant with the planted leak or GC load and stays quiet on the
 * healthy variant of the same service (RETAIN=0), so a rule that fires on everything or on nothing fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture, tempDir } from '../helpers.js';
import { captureRuntimeWindow, missingTool } from './runtime-service.js';
import type { Finding } from '../../src/core/finding.js';

const titles = (findings: Finding[]) => findings.map((f) => `${f.rule}: ${f.title}`).join('\n') || '(no findings)';

test('Go: go.goroutine-growth and memory.growth fire on the leaking service, stay quiet on the healthy one', { skip: missingTool('go') }, async (t) => {
  const dir = fixture('services', 'go');
  const bin = join(tempDir('perfloop-gosvc-'), 'gosvc');
  const built = spawnSync('go', ['build', '-o', bin, '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  assert.equal(built.status, 0, built.stderr);

  const leaky = await captureRuntimeWindow(bin, { cwd: dir, env: { LEAK_GOROUTINES: '1' } });
  assert.equal(leaky.result.profiler, 'pprof');
  const goroutines = leaky.findings.find((f) => f.rule === 'go.goroutine-growth');
  t.diagnostic(`leaky: ${leaky.requests} requests; ${titles(leaky.findings)}`);
  assert.ok(goroutines, titles(leaky.findings));
  // One goroutine left behind per request answered in the window (give or take the requests in flight).
  const grew = (goroutines.evidence.end as number) - (goroutines.evidence.start as number);
  assert.ok(Math.abs(grew - leaky.requests) <= 4 + leaky.requests * 0.05, `goroutines +${grew}, requests ${leaky.requests}`);
  assert.ok((goroutines.evidence.series as number[]).length >= 3, JSON.stringify(goroutines.evidence));
  const growth = leaky.findings.find((f) => f.rule === 'memory.growth');
  assert.ok(growth, titles(leaky.findings));
  assert.equal(growth.evidence.by, 'allocating function');
  assert.equal((growth.evidence.top as { name: string }[])[0].name, 'main.retainSession');

  const healthy = await captureRuntimeWindow(bin, { cwd: dir, env: { RETAIN: '0' } });
  t.diagnostic(`healthy: ${healthy.requests} requests; goroutines ${JSON.stringify(healthy.result.memory.goroutines)}; ${titles(healthy.findings)}`);
  assert.ok(healthy.result.memory.goroutines && healthy.result.memory.growth, 'the healthy capture has the same evidence');
  assert.equal(healthy.findings.length, 0, titles(healthy.findings));
});

test('Java: jvm.gc-pressure fires on the GC-heavy service, and nothing fires on the healthy one', { skip: missingTool('java', 'jcmd', 'jfr') }, async (t) => {
  const dir = fixture('services', 'java');
  const heavy = await captureRuntimeWindow('java -Xmx64m Service.java', { cwd: dir, env: { RETAIN: '0', GC_CHURN: '1' }, warmupS: 2 });
  assert.equal(heavy.result.profiler, 'jfr');
  t.diagnostic(`GC-heavy: ${heavy.requests} requests; gc ${JSON.stringify(heavy.result.memory.gcPauses)}; java ${heavy.result.sampledAgainstMs} ms; ${titles(heavy.findings)}`);
  const gc = heavy.findings.find((f) => f.rule === 'jvm.gc-pressure');
  assert.ok(gc, titles(heavy.findings));
  assert.ok((gc.evidence.collections as number) >= 5, JSON.stringify(gc.evidence));

  const healthy = await captureRuntimeWindow('java -Xmx64m Service.java', { cwd: dir, env: { RETAIN: '0' }, warmupS: 2 });
  t.diagnostic(`healthy: ${healthy.requests} requests; gc ${JSON.stringify(healthy.result.memory.gcPauses)}; java ${healthy.result.sampledAgainstMs} ms; ${titles(healthy.findings)}`);
  assert.ok(healthy.result.memory.gcPauses && healthy.result.memory.growth, 'the healthy capture has the same evidence');
  assert.equal(healthy.findings.length, 0, titles(healthy.findings));
});
