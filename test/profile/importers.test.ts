/**
 * The shared importer suite: every importer against fixtures made by the real tools (Node --cpu-prof, Go
 * runtime/pprof, perf record + perf script, speedscope's own export, a py-spy-style sampler), with frames and
 * weights checked, then a round trip through every export format that can hold the profile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Profile } from '../../src/core/profile.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { exportToString } from '../../src/profile/export/index.js';
import { unitFactor } from '../../src/profile/transform/merge.js';
import {
  bufferSource,
  detectImporter,
  fileSource,
  importProfileFile,
  importProfileSource,
} from '../../src/profile/import/index.js';
import { fixture } from '../helpers.js';

interface Case {
  file: string;
  format: string;
  unit: string;
  /** Functions that must be there, with their file ending and a share range of non-idle weight (self %). */
  self: Record<string, { file?: string; min: number; max: number }>;
  /** A caller → callee edge that must be in the tree. */
  edge: [string, string];
  /** Formats the round trip goes through. */
  exports: string[];
  totalWeight?: number;
}

const CASES: Case[] = [
  {
    file: 'node-cpu-app.cpuprofile',
    format: 'cpuprofile',
    unit: 'us',
    self: {
      serializeReport: { file: 'cpu-app.mjs', min: 50, max: 70 },
      countPrimes: { file: 'cpu-app.mjs', min: 30, max: 45 },
    },
    edge: ['handleRequest', 'serializeReport'],
    exports: ['folded', 'speedscope', 'cpuprofile'],
  },
  {
    file: 'chrome-trace/chrome-app.trace.json.gz',
    format: 'chrome-trace',
    unit: 'us',
    self: {
      serializeReport: { file: 'page.html', min: 35, max: 65 },
      countPrimes: { file: 'page.html', min: 30, max: 60 },
    },
    edge: ['handleRequest', 'countPrimes'],
    exports: ['folded', 'speedscope', 'cpuprofile'],
  },
  {
    file: 'go-cpu/go-cpu.pb.gz',
    format: 'pprof',
    unit: 'ns',
    self: {
      'main.fib': { file: 'go-cpu/main.go', min: 8, max: 25 },
      'regexp.(*Regexp).tryBacktrack': { file: 'regexp/backtrack.go', min: 5, max: 30 },
    },
    edge: ['main.encodeRows', 'encoding/json.Marshal'],
    exports: ['folded', 'speedscope', 'cpuprofile'],
    totalWeight: 2_510_000_000, // 251 samples × 10 ms, what `go tool pprof -top` reports as Total
  },
  {
    file: 'perf-c/perf-c.perf.txt',
    format: 'perf-script',
    unit: 'ns',
    self: {
      busy_parse: { file: 'libperfwork.so', min: 75, max: 95 },
      checksum: { file: 'libperfwork.so', min: 5, max: 25 },
    },
    edge: ['render', 'checksum'],
    exports: ['folded', 'speedscope', 'cpuprofile'],
    totalWeight: 163 * 4_000_000, // 163 samples of cpu-clock at 250 Hz
  },
  {
    file: 'node-perf.perf.txt.gz',
    format: 'perf-script',
    unit: 'ns',
    self: { countPrimes: { file: 'cpu-app.mjs', min: 20, max: 45 } },
    edge: ['v8::internal::Builtin_JsonStringify', 'v8::internal::JsonStringify'],
    exports: ['folded', 'speedscope', 'cpuprofile'],
  },
  {
    file: 'py-folded/py-app.folded',
    format: 'folded',
    unit: 'samples',
    self: {
      count_primes: { file: 'sample_app.py', min: 20, max: 40 },
      _iterencode_dict: { file: 'json/encoder.py', min: 20, max: 50 },
    },
    edge: ['serialize_report', 'dumps'],
    exports: ['folded', 'speedscope'],
    totalWeight: 195,
  },
  {
    file: 'speedscope/node-cpu-app.speedscope.json',
    format: 'speedscope',
    unit: 'us',
    self: {
      serializeReport: { file: 'cpu-app.mjs', min: 50, max: 70 },
      countPrimes: { file: 'cpu-app.mjs', min: 30, max: 45 },
    },
    edge: ['handleRequest', 'countPrimes'],
    exports: ['folded', 'speedscope', 'cpuprofile'],
  },
  {
    file: 'speedscope/perf-c.speedscope.json',
    format: 'speedscope',
    unit: 'ms',
    self: { busy_parse: { file: 'libperfwork.so', min: 75, max: 95 } },
    edge: ['store', 'checksum'],
    exports: ['folded', 'speedscope', 'cpuprofile'],
  },
];

function selfShares(p: Profile): Map<string, number> {
  const w = frameWeights(p);
  const by = new Map<string, number>();
  p.frames.forEach((f, i) => {
    if (f.kind === 'idle') return;
    const k = `${f.name}\u0000${f.file ?? ''}`;
    by.set(k, (by.get(k) ?? 0) + (100 * w.self[i]) / w.active);
  });
  return by;
}

function hasEdge(p: Profile, caller: string, callee: string): boolean {
  for (let n = 0; n < p.nodeCount; n++) {
    const parent = p.nodeParent[n];
    if (
      parent >= 0 &&
      p.frames[p.nodeFrame[n]].name === callee &&
      p.frames[p.nodeFrame[parent]].name === caller
    )
      return true;
  }
  return false;
}

for (const c of CASES) {
  test(`${c.format}: ${c.file} imports with frames and weights`, async () => {
    const path = fixture('profiles', c.file);
    assert.equal((await detectImporter(fileSource(path))).format, c.format);
    const p = await importProfileFile(path);
    assert.equal(p.meta.format, c.format);
    assert.equal(p.unit, c.unit);
    assert.ok(p.sampleCount > 0);
    if (c.totalWeight !== undefined) assert.equal(Math.round(p.totalWeight), c.totalWeight);
    const w = frameWeights(p);
    for (const [name, want] of Object.entries(c.self)) {
      const frames = p.frames.map((f, i) => ({ f, i })).filter(({ f }) => f.name === name);
      assert.ok(frames.length > 0, `${name} is a frame`);
      if (want.file)
        assert.ok(
          frames.some(({ f }) => f.file?.endsWith(want.file!)),
          `${name} in ${want.file}: ${frames.map(({ f }) => f.file)}`,
        );
      const pct = (100 * frames.reduce((s, { i }) => s + w.self[i], 0)) / w.active;
      assert.ok(
        pct >= want.min && pct <= want.max,
        `${name}: self ${pct.toFixed(1)}% not in [${want.min}, ${want.max}]`,
      );
    }
    assert.ok(hasEdge(p, c.edge[0], c.edge[1]), `edge ${c.edge[0]} → ${c.edge[1]}`);
    // every node's parent exists and comes first; weights are finite and not negative
    for (let n = 0; n < p.nodeCount; n++) assert.ok(p.nodeParent[n] < n);
    for (let i = 0; i < p.sampleCount; i++)
      assert.ok(Number.isFinite(p.sampleWeight[i]) && p.sampleWeight[i] >= 0);
  });

  for (const format of c.exports) {
    test(`${c.format}: ${c.file} round-trips through ${format}`, async () => {
      const p = await importProfileFile(fixture('profiles', c.file));
      const text = exportToString(p, format);
      const back = await importProfileSource(bufferSource(`roundtrip.${format}`, text), { format });
      const a = selfShares(p);
      const b = selfShares(back);
      for (const [k, pct] of a) {
        if (pct < 0.5) continue;
        const got = b.get(k) ?? 0;
        assert.ok(
          Math.abs(got - pct) < 0.05,
          `${k.replace('\u0000', ' @ ')}: ${pct.toFixed(3)}% became ${got.toFixed(3)}% via ${format}`,
        );
      }
      const ratio = (back.totalWeight * unitFactor(back.unit, p.unit)!) / p.totalWeight;
      if (format !== 'folded' || p.unit === 'samples')
        assert.ok(Math.abs(ratio - 1) < 1e-3, `total weight ratio ${ratio}`);
    });
  }
}

test('detection: by name first, then by content; gzip is looked through', async () => {
  const folded = 'main;work 3\nmain;idle 1\n';
  assert.equal((await detectImporter(bufferSource('x.folded', '{}'))).format, 'folded'); // the name wins
  assert.equal((await detectImporter(bufferSource('stacks.txt', folded))).format, 'folded');
  const { gzipSync } = await import('node:zlib');
  assert.equal((await detectImporter(bufferSource('stacks.bin', gzipSync(folded)))).format, 'folded');
  const cpu = JSON.stringify({
    nodes: [{ id: 1, callFrame: { functionName: '(root)' } }],
    startTime: 0,
    endTime: 1,
    samples: [],
    timeDeltas: [],
  });
  assert.equal((await detectImporter(bufferSource('profile.json', cpu))).format, 'cpuprofile');
  const trace = JSON.stringify({ traceEvents: [{ ph: 'M', name: 'x' }] });
  assert.equal((await detectImporter(bufferSource('trace.json', trace))).format, 'chrome-trace');
  const ss = JSON.stringify({
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames: [] },
    profiles: [],
  });
  assert.equal((await detectImporter(bufferSource('p.json', ss))).format, 'speedscope');
  const perf = 'app 12 100.000001: 250000 cpu-clock:u:\n\t  4005d0 main+0x10 (/app)\n\n';
  assert.equal((await detectImporter(bufferSource('out.txt', perf))).format, 'perf-script');
});
