import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from 'node:inspector/promises';
import { flameData } from '../../src/profile/render/flame-data.js';
import { findGcPauseGrowth, gcPauseTrend, type GcSample } from '../../src/memory/gc-pause.js';
import { importSamplingHeapProfile, looksLikeSamplingHeapProfile } from '../../src/memory/sampling-heap-profile.js';
import { heapSnapshotTable } from '../../src/memory/heap-tables.js';

function allocateLots(): unknown[] {
  const keep: unknown[] = [];
  for (let i = 0; i < 20_000; i++) keep.push({ i, text: `allocation ${i}`.repeat(4) });
  return keep;
}

test('a real sampling heap profile becomes a Profile in bytes that the flame graph draws', async () => {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.startSampling', { samplingInterval: 1024 });
    const kept = allocateLots();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: unknown };
    assert.ok(kept.length > 0);
    assert.ok(looksLikeSamplingHeapProfile(profile));
    const p = importSamplingHeapProfile(profile, 'test.heapprofile');
    assert.equal(p.unit, 'bytes');
    let want = 0;
    const stack = [(profile as { head: { selfSize: number; children: unknown[] } }).head];
    while (stack.length) {
      const n = stack.pop()!;
      want += n.selfSize;
      stack.push(...(n.children as (typeof n)[]));
    }
    assert.equal(p.totalWeight, want);
    const alloc = p.frames.findIndex((f) => f.name === 'allocateLots');
    assert.ok(alloc >= 0, 'the allocating function is a frame');
    assert.ok(p.frames[alloc].file?.endsWith('heap-profile-and-gc.test.js'));
    const data = flameData(p, 'allocations');
    assert.equal(data.unit, 'bytes');
    const rootTotal = data.total.reduce((s, t, i) => (data.parent[i] === -1 ? s + t : s), 0);
    assert.equal(rootTotal, want);
  } finally {
    session.disconnect();
  }
  assert.throws(() => importSamplingHeapProfile({ nodes: [] }, 'x.json'), /not a V8 sampling heap profile/);
});

/** 2 minutes of 250 ms samples: `pause(t)` ms per collection, 2 collections per sample. */
function gcSeries(pause: (minute: number) => number): GcSample[] {
  return Array.from({ length: 480 }, (_, i) => {
    const t = i * 250;
    const p = pause(t / 60_000) * (1 + ((i * 7919) % 11) / 50);
    return { t, gc: { count: 2, pauseMs: 2 * p, maxPauseMs: p } };
  });
}

test('memory.gc-pause fires when pauses grow, with the projected time to a 100 ms pause', () => {
  const [f] = findGcPauseGrowth(gcSeries((m) => 2 + 8 * m));
  assert.equal(f.rule, 'memory.gc-pause');
  assert.ok((f.evidence.lateMeanPauseMs as number) > 1.5 * (f.evidence.earlyMeanPauseMs as number));
  assert.ok((f.evidence.msPerMin as number) > 6 && (f.evidence.msPerMin as number) < 10, String(f.evidence.msPerMin));
  assert.ok(typeof f.evidence.minutesToLimit === 'number' && f.evidence.minutesToLimit > 5 && f.evidence.minutesToLimit < 15);
  assert.ok(['medium', 'high', 'critical'].includes(f.severity));
});

test('memory.gc-pause stays quiet on steady short pauses and fires on heavy GC time', () => {
  assert.deepEqual(findGcPauseGrowth(gcSeries(() => 3)), []);
  const tr = gcPauseTrend(gcSeries(() => 3))!;
  assert.ok(Math.abs(tr.msPerMin) < 0.5);
  // 2 × 20 ms per 250 ms: 16 % of the time in GC, not growing.
  const [heavy] = findGcPauseGrowth(gcSeries(() => 20));
  assert.match(heavy.title, /GC takes [\d.]+% of wall time/);
  assert.equal(heavy.estimatedImpact.pct >= 15, true);
  assert.deepEqual(findGcPauseGrowth([]), []);
});

test('the heap snapshot comparison table: relative time, size, delta', () => {
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  const md = heapSnapshotTable([
    { label: 'Initial', at: t0, heapBytes: 50 * 1024 * 1024 },
    { label: 'After 1h', at: t0 + 3_600_000, heapBytes: 80 * 1024 * 1024 },
    { label: 'After 2h | x', at: new Date(t0 + 7_200_000).toISOString(), heapBytes: 75 * 1024 * 1024 },
  ]);
  assert.equal(
    md,
    [
      '| Snapshot | Time | Heap Size | Delta |',
      '|----------|------|-----------|-------|',
      '| Initial | T+0 | 50.0 MB | - |',
      '| After 1h | T+1h | 80.0 MB | +30.0 MB |',
      '| After 2h \\| x | T+2h | 75.0 MB | -5.0 MB |',
    ].join('\n'),
  );
});
