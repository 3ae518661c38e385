import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importCpuProfile } from '../../src/profile/import/cpuprofile.js';
import { analyseProfile } from '../../src/profile/analyse/index.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { ProfileBuilder } from '../../src/core/profile.js';
import { fixture } from '../helpers.js';

// Made by Node's own profiler: see test/fixtures/profiles/cpu-app.mjs for the command.
const raw = JSON.parse(readFileSync(fixture('profiles', 'node-cpu-app.cpuprofile'), 'utf8'));

test('V8 cpuprofile imports with frames, weights in µs and time order', () => {
  const p = importCpuProfile(raw, 'node-cpu-app.cpuprofile');
  assert.equal(p.unit, 'us');
  assert.equal(p.sampleCount, raw.samples.length);
  // the weights add up to the profile's duration from the first sample on
  const duration = raw.endTime - raw.startTime - raw.timeDeltas[0];
  assert.ok(Math.abs(p.totalWeight - duration) < 1, `${p.totalWeight} vs ${duration}`);
  // (root) is not a frame; (program) and (garbage collector) are pseudo-frames with kinds
  assert.ok(!p.frames.some((f) => f.name === '(root)'));
  assert.equal(p.frames.find((f) => f.name === '(program)')?.kind, 'program');
  const ser = p.frames.find((f) => f.name === 'serializeReport')!;
  assert.ok(ser.file?.endsWith('test/fixtures/profiles/cpu-app.mjs'));
  assert.equal(ser.line, 6); // 0-based lineNumber 5 in V8 → 1-based 6
  // sample times never go backwards
  for (let i = 1; i < p.sampleCount; i++) assert.ok(p.sampleTime![i] >= p.sampleTime![i - 1]);
});

test('self and total per function match the hit counts Node recorded', () => {
  const p = importCpuProfile(raw);
  const w = frameWeights(p);
  const hits = (name: string) =>
    raw.nodes
      .filter((n: { callFrame: { functionName: string } }) => n.callFrame.functionName === name)
      .reduce((s: number, n: { hitCount: number }) => s + n.hitCount, 0);
  const f = (name: string) => p.frames.findIndex((x) => x.name === name);
  const samplesOf = (frame: number) => {
    let c = 0;
    for (let i = 0; i < p.sampleCount; i++) if (p.nodeFrame[p.sampleNode[i]] === frame) c++;
    return c;
  };
  assert.equal(samplesOf(f('serializeReport')), hits('serializeReport'));
  assert.equal(samplesOf(f('countPrimes')), hits('countPrimes'));
  // handleRequest's total covers both of its callees
  assert.ok(w.total[f('handleRequest')] >= w.self[f('serializeReport')] + w.self[f('countPrimes')]);
});

test('analysis: top consumers with categories, hot line attributed to JSON.stringify, hot-function findings', () => {
  const a = analyseProfile(importCpuProfile(raw));
  const [first, second] = a.top;
  assert.equal(first.name, 'serializeReport');
  assert.equal(second.name, 'countPrimes');
  assert.ok(first.selfPct > 40 && first.selfPct < 75, `selfPct ${first.selfPct}`);
  assert.equal(first.hotLine?.line, 9);
  assert.ok(first.hotLine!.pct > 90);
  const hot = a.findings.filter((f) => f.rule === 'cpu.hot-function');
  assert.deepEqual(
    hot.slice(0, 2).map((f) => f.evidence.function),
    ['serializeReport', 'countPrimes'],
  );
  // percentages are of non-idle weight and add up
  const sum = a.categories.reduce((s, c) => s + c.pct, 0);
  assert.ok(Math.abs(sum - 100) < 0.5, `categories sum ${sum}`);
});

test('when the source is readable, the hot line names the builtin and the category follows it', () => {
  // point the profile at the fixture's source in this checkout (the recorded path is the machine's that made it)
  const src = fixture('profiles', 'cpu-app.mjs');
  const moved = JSON.parse(JSON.stringify(raw).replaceAll(/file:\/\/[^"]*cpu-app\.mjs/g, `file://${src}`));
  const a = analyseProfile(importCpuProfile(moved));
  const ser = a.top.find((t) => t.name === 'serializeReport')!;
  assert.equal(ser.hotLine?.builtin, 'JSON.stringify');
  assert.equal(ser.category, 'serialization');
  assert.match(a.findings[0].recommendation, /line 9, the JSON\.stringify call/);
  assert.equal(a.top.find((t) => t.name === 'countPrimes')?.category, 'your code');
});

test('a healthy flat profile gives no hot-function finding; recursion counts once in total', () => {
  const b = new ProfileBuilder({ format: 'test' }, 'samples');
  const frames = Array.from({ length: 40 }, (_, i) =>
    b.frame({ name: `f${i}`, file: '/app/x.js', line: i + 1 }),
  );
  for (const f of frames) b.sample(b.stack([f]), 1);
  const flat = analyseProfile(b.build());
  assert.equal(flat.findings.length, 0);

  const r = new ProfileBuilder({ format: 'test' }, 'samples');
  const fib = r.frame({ name: 'fib', file: '/app/f.js' });
  r.sample(r.stack([fib, fib, fib, fib]), 10);
  const w = frameWeights(r.build());
  assert.equal(w.total[fib], 10);
  assert.equal(w.self[fib], 10);
});

test('negative time deltas are sorted, idle is excluded from percentages, bad input is a clear error', () => {
  const prof = {
    nodes: [
      {
        id: 1,
        callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 },
        children: [2, 3],
      },
      { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } },
      { id: 3, callFrame: { functionName: 'work', url: 'file:///a.js', lineNumber: 0, columnNumber: 0 } },
    ],
    startTime: 0,
    endTime: 400,
    samples: [3, 2, 3, 3],
    timeDeltas: [0, 100, -50, 250],
  };
  const p = importCpuProfile(prof);
  for (let i = 1; i < p.sampleCount; i++) assert.ok(p.sampleTime![i] >= p.sampleTime![i - 1]);
  const a = analyseProfile(p);
  assert.equal(a.top[0].name, 'work');
  assert.equal(a.top[0].selfPct, 100);
  assert.throws(() => importCpuProfile({ foo: 1 }, 'x.json'), /x\.json: not a V8 cpuprofile/);
});

test('WebAssembly frames of one module are one consumer; the hottest own-code function is reported even when a library dominates', () => {
  const b = new ProfileBuilder({ format: 'test' }, 'us');
  const handler = b.frame({ name: 'handle', file: '/srv/app/routes.js', line: 1 });
  const db = b.frame({
    name: 'query',
    file: '/srv/app/node_modules/@electric-sql/pglite/dist/index.js',
    line: 10,
  });
  const wasm = Array.from({ length: 30 }, (_, i) =>
    b.frame({ name: `wasm-function[${i}]`, file: 'wasm://wasm/abc123' }),
  );
  const render = b.frame({ name: 'renderPage', file: '/srv/app/render.js', line: 3 });
  const tiny = b.frame({ name: 'tinyHelper', file: '/srv/app/util.js', line: 3 });
  // Weights in 1 ms samples (a real profile's shape; the rules' evidence floors apply).
  const samples = (stack: number, n: number) => {
    for (let i = 0; i < n; i++) b.sample(stack, 1000);
  };
  for (const w of wasm) samples(b.stack([handler, db, w]), 30); // 900 in the database engine
  samples(b.stack([handler, render]), 30); // 3 % overall, 75 % of own code
  samples(b.stack([handler, tiny]), 5); // 0.5 %: below the floor
  const a = analyseProfile(b.build());
  assert.equal(a.top[0].name, '@electric-sql/pglite (WebAssembly)');
  assert.equal(a.top[0].category, 'database');
  assert.ok(a.top[0].selfPct > 85);
  const titles = a.findings
    .filter((f) => f.rule === 'cpu.hot-function')
    .map((f) => String(f.evidence.function));
  assert.deepEqual(titles, ['@electric-sql/pglite (WebAssembly)', 'renderPage']);
  const render75 = a.findings.find((f) => f.evidence.function === 'renderPage')!;
  assert.equal(render75.evidence.appSharePct, 85.7);
});
