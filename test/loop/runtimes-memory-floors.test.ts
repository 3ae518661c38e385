/**
 * The runtime memory rules' floors on evidence shaped like what the captures produce: each rule speaks only with
 * an absolute amount and enough of a window behind it, and a one-step rise (a pool starting) is not a leak.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeMemoryFindings } from '../../src/loop/rules/runtime-memory.js';
import type { RuntimeMemoryEvidence } from '../../src/profile/capture/runtime-capture.js';

const rules = (m: RuntimeMemoryEvidence, javaCpuMs: number | null = null) => runtimeMemoryFindings(m, javaCpuMs).map((f) => f.rule);
const MiB = 1024 * 1024;

test('memory.growth: named by class above 2 MiB over a real window; small growth or a glimpse of a window stays quiet', () => {
  const growth = (grewBytes: number, windowS: number): RuntimeMemoryEvidence => ({
    growth: {
      by: 'class',
      source: 'histograms',
      windowS,
      rows: [
        { name: 'Service$LeakedSession', bytesBefore: MiB, bytesAfter: MiB + grewBytes, countBefore: 1000, countAfter: 1000 + grewBytes / 64 },
        { name: 'byte[]', bytesBefore: 4 * MiB, bytesAfter: 4 * MiB - 1000, countBefore: 10, countAfter: 9 },
      ],
    },
  });
  const [f] = runtimeMemoryFindings(growth(8 * MiB, 10));
  assert.equal(f.rule, 'memory.growth');
  assert.match(f.title, /\+8 MB in 10 s .*class Service\$LeakedSession/);
  assert.deepEqual(rules(growth(1 * MiB, 10)), [], 'under the 2 MiB floor');
  assert.deepEqual(rules(growth(8 * MiB, 2)), [], 'a 2 s window');
});

test('go.goroutine-growth: steady accumulation fires; a pool started once, too few, or a short window stay quiet', () => {
  const g = (series: number[], windowS = 6): RuntimeMemoryEvidence => ({ goroutines: { start: series[0], end: series.at(-1)!, windowS, series } });
  const [f] = runtimeMemoryFindings(g([10, 110, 210, 310, 410, 510, 610]));
  assert.equal(f.rule, 'go.goroutine-growth');
  assert.equal(f.evidence.perS, 100);
  assert.deepEqual(rules(g([10, 500, 505, 505, 506, 506, 506])), [], 'one step at the start: a pool, not a leak');
  assert.deepEqual(rules(g([10, 20, 30, 40, 50, 55])), [], 'under the 50-goroutine floor');
  assert.deepEqual(rules(g([1000, 1100, 1200, 1300])), [], 'not doubled: a busy service with many connections');
  assert.deepEqual(rules(g([10, 300, 610], 2)), [], 'a 2 s window');
  assert.deepEqual(rules({ goroutines: { start: 10, end: 610, windowS: 6 } }), ['go.goroutine-growth'], 'start and end only (no series): the counts decide');
});

test('jvm.gc-pressure: pauses or GC threads over their floors fire; few collections or an idle JVM stay quiet', () => {
  const gc = (count: number, totalMs: number, cpuMs: number, windowS = 5): RuntimeMemoryEvidence => ({ gcPauses: { count, totalMs, maxMs: totalMs / count, windowS, cpuMs } });
  assert.deepEqual(rules(gc(60, 600, 100), 4000), ['jvm.gc-pressure'], '12 % of the window paused');
  assert.deepEqual(rules(gc(60, 50, 2500), 4000), ['jvm.gc-pressure'], 'GC threads at 62 % of the Java threads');
  assert.deepEqual(rules(gc(3, 600, 100), 4000), [], 'three collections are not a pattern');
  assert.deepEqual(rules(gc(60, 600, 100, 2), 4000), [], 'a 2 s window');
  // An almost idle JVM: 80 ms of GC/VM threads against 100 ms of Java threads is a big ratio of nothing.
  assert.deepEqual(rules(gc(6, 20, 80), 100), [], 'GC threads under a tenth of a core');
});
