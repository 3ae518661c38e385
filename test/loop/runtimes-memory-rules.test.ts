/**
 * The runtime memory rules (`memory.growth`, `go.goroutine-growth`, `jvm.gc-pressure`) on evidence captured from
 * the real test services: each fires on the variant with the planted leak or GC load and stays quiet on the
 * healthy variant of the same service (RETAIN=0), so a rule that fires on everything or on nothing fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

  // 64 KiB kept per request: well over the 2 MiB floor even at a hundred requests (a busy host).
  const leaky = await captureRuntimeWindow(bin, { cwd: dir, env: { LEAK_GOROUTINES: '1', RETAIN_KB: '64' } });
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
  // Side by side: most of each is JVM start-up and jcmd round trips, and the healthy JVM's GC depends on its own
  // allocation only.
  const [heavy, healthy] = await Promise.all([
    captureRuntimeWindow('java -Xmx64m Service.java', { cwd: dir, env: { RETAIN: '0', GC_CHURN: '1' }, warmupS: 2 }),
    captureRuntimeWindow('java -Xmx64m Service.java', { cwd: dir, env: { RETAIN: '0' }, warmupS: 2 }),
  ]);
  assert.equal(heavy.result.profiler, 'jfr');
  t.diagnostic(`GC-heavy: ${heavy.requests} requests; gc ${JSON.stringify(heavy.result.memory.gcPauses)}; java ${heavy.result.sampledAgainstMs} ms; ${titles(heavy.findings)}`);
  const gc = heavy.findings.find((f) => f.rule === 'jvm.gc-pressure');
  assert.ok(gc, titles(heavy.findings));
  assert.ok((gc.evidence.collections as number) >= 5, JSON.stringify(gc.evidence));
  t.diagnostic(`healthy: ${healthy.requests} requests; gc ${JSON.stringify(healthy.result.memory.gcPauses)}; java ${healthy.result.sampledAgainstMs} ms; ${titles(healthy.findings)}`);
  assert.ok(healthy.result.memory.gcPauses && healthy.result.memory.growth, 'the healthy capture has the same evidence');
  assert.equal(healthy.findings.length, 0, titles(healthy.findings));
});

test('Python --tracemalloc: memory.growth names the planted growth by its file:line, and stays quiet on the healthy variant', { skip: missingTool('python3') }, async (t) => {
  const dir = fixture('services', 'python');
  const source = readFileSync(join(dir, 'service.py'), 'utf8').split('\n');
  const plantedLine = source.findIndex((l) => l.includes('retained.append(')) + 1;
  // No CPU profiler: the memory evidence alone, so the test does not depend on perf. tracemalloc slows the
  // service's integer loop severalfold: 512 KiB kept per request clears the 2 MiB floor even at a few requests/s.
  const leaky = await captureRuntimeWindow('python3 service.py', { cwd: dir, tracemalloc: true, profiler: 'none', env: { RETAIN_KB: '512' } });
  t.diagnostic(`leaky: ${leaky.requests} requests; ${titles(leaky.findings)}`);
  const growth = leaky.findings.find((f) => f.rule === 'memory.growth');
  assert.ok(growth, titles(leaky.findings));
  assert.equal(growth.evidence.by, 'allocating line');
  const top = (growth.evidence.top as { name: string; grewBytes: number }[])[0];
  assert.ok(top.name.endsWith(`/service.py:${plantedLine}`), `${top.name}, planted at service.py:${plantedLine}`);
  // 512 KiB kept per request answered in the window (the snapshots bracket it; requests in flight either side).
  const kept = top.grewBytes / 524288;
  assert.ok(Math.abs(kept - leaky.requests) <= 4 + 0.1 * leaky.requests, `${top.grewBytes} B for ${leaky.requests} requests`);
  assert.equal(leaky.result.artifacts.tracemalloc, 'tracemalloc.json');

  const healthy = await captureRuntimeWindow('python3 service.py', { cwd: dir, tracemalloc: true, profiler: 'none', env: { RETAIN: '0' } });
  t.diagnostic(`healthy: ${healthy.requests} requests; ${titles(healthy.findings)}`);
  assert.ok(healthy.result.memory.growth, 'the healthy capture has the same evidence');
  assert.equal(healthy.findings.length, 0, titles(healthy.findings));
});
