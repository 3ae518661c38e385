/** Profile quirks every importer must survive: pseudo-frames, negative time deltas, 10,000-deep stacks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  Function as PFunction,
  Line,
  Location,
  Profile as PProfile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';
import { analyseProfile } from '../../src/profile/analyse/index.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { bufferSource, importProfileSource } from '../../src/profile/import/index.js';

const DEPTH = 10_000;
const names = Array.from({ length: DEPTH }, (_, i) => `f${i}`);

function deepPprof(): Buffer {
  const st = new StringTable();
  const fns = names.map(
    (n, i) => new PFunction({ id: i + 1, name: st.dedup(n), filename: st.dedup('/app/deep.go') }),
  );
  const locs = names.map(
    (_, i) => new Location({ id: i + 1, line: [new Line({ functionId: i + 1, line: i + 1 })] }),
  );
  const leafFirst = names.map((_, i) => DEPTH - i);
  const p = new PProfile({
    sampleType: [
      new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') }),
      new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') }),
    ],
    sample: [new Sample({ locationId: leafFirst, value: [3, 30_000_000] })],
    location: locs,
    function: fns,
    stringTable: st,
  });
  return Buffer.from(p.encode());
}

const DEEP_INPUTS: [string, () => string | Buffer, number][] = [
  ['deep.folded', () => `${names.join(';')} 5\n`, 5],
  [
    'deep.cpuprofile',
    () => {
      const nodes = [
        {
          id: 1,
          callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 },
          children: [2],
        },
      ];
      names.forEach((n, i) =>
        nodes.push({
          id: i + 2,
          callFrame: { functionName: n, url: 'file:///app/deep.js', lineNumber: i, columnNumber: 0 },
          children: i + 1 < DEPTH ? [i + 3] : [],
        }),
      );
      return JSON.stringify({ nodes, startTime: 0, endTime: 500, samples: [DEPTH + 1], timeDeltas: [0] });
    },
    500,
  ],
  [
    'deep.speedscope.json',
    () =>
      JSON.stringify({
        $schema: 'https://www.speedscope.app/file-format-schema.json',
        shared: { frames: names.map((name) => ({ name })) },
        profiles: [
          {
            type: 'sampled',
            name: 'deep',
            unit: 'milliseconds',
            startValue: 0,
            endValue: 7,
            samples: [names.map((_, i) => i)],
            weights: [7],
          },
        ],
      }),
    7,
  ],
  [
    'deep.perf.txt',
    () =>
      `app 1/1 [000] 10.000000: 1000000 cpu-clock:\n${names
        .map((n, i) => `\t${(0x1000 + i).toString(16)} ${n}+0x1 (/app/bin)`)
        .reverse()
        .join('\n')}\n\n`,
    1_000_000,
  ],
  ['deep.pb.gz', () => gzipSync(deepPprof()), 30_000_000],
];

for (const [name, make, weight] of DEEP_INPUTS) {
  test(`10,000-deep stack: ${name} imports and analyses without a stack overflow`, async () => {
    const p = await importProfileSource(bufferSource(name, make()));
    const leaf = p.sampleNode[0];
    const stack = p
      .stackOf(leaf)
      .map((f) => p.frames[f].name)
      .filter((n) => /^f\d+$/.test(n));
    assert.equal(stack.length, DEPTH);
    assert.equal(stack[0], 'f0');
    assert.equal(stack[DEPTH - 1], `f${DEPTH - 1}`);
    assert.equal(Math.round(p.totalWeight), weight);
    const a = analyseProfile(p);
    assert.equal(a.top[0].name, `f${DEPTH - 1}`);
    assert.equal(a.top[0].selfPct, 100);
  });
}

test('V8 pseudo-frames: (root) is no frame, idle is left out of percentages, GC is its own share', async () => {
  const prof = {
    nodes: [
      {
        id: 1,
        callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 },
        children: [2, 3, 4, 5],
      },
      { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } },
      {
        id: 3,
        callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1, columnNumber: -1 },
      },
      { id: 4, callFrame: { functionName: '(program)', url: '', lineNumber: -1, columnNumber: -1 } },
      {
        id: 5,
        callFrame: { functionName: 'work', url: 'file:///srv/app.js', lineNumber: 0, columnNumber: 0 },
      },
    ],
    startTime: 0,
    endTime: 1000,
    // 500 µs idle, 100 GC, 100 program, 300 work
    samples: [2, 5, 3, 4, 5],
    timeDeltas: [0, 500, 200, 100, 100],
  };
  const p = await importProfileSource(bufferSource('p.cpuprofile', JSON.stringify(prof)));
  assert.ok(!p.frames.some((f) => f.name === '(root)'));
  assert.deepEqual(p.frames.map((f) => [f.name, f.kind]).sort(), [
    ['(garbage collector)', 'gc'],
    ['(idle)', 'idle'],
    ['(program)', 'program'],
    ['work', 'code'],
  ]);
  const w = frameWeights(p);
  assert.equal(w.all, 1000);
  assert.equal(w.active, 500);
  const a = analyseProfile(p);
  assert.equal(a.top[0].name, 'work');
  assert.equal(a.top[0].selfPct, 60); // 300 of 500 non-idle
  assert.equal(a.categories.find((c) => c.name === 'gc')?.pct, 20);
  assert.ok(!a.categories.some((c) => c.name === 'idle'));
  assert.ok(!a.top.some((t) => t.name === '(idle)'));
});

test('Chrome trace: ProfileChunks across events, parent links, negative deltas sorted, several threads merged', async () => {
  const chunk = (id: string, tid: number, nodes: unknown[], samples: number[], deltas: number[]) => ({
    name: 'ProfileChunk',
    ph: 'P',
    id,
    pid: 1,
    tid,
    ts: 0,
    args: { data: { cpuProfile: { nodes, samples }, timeDeltas: deltas } },
  });
  const cf = (functionName: string) => ({
    functionName,
    url: 'https://x.test/app.js',
    lineNumber: 1,
    columnNumber: 1,
    scriptId: 1,
  });
  const events = [
    { name: 'Profile', ph: 'P', id: '0x1', pid: 1, tid: 7, ts: 0, args: { data: { startTime: 100 } } },
    chunk(
      '0x1',
      7,
      [
        { id: 1, callFrame: cf('(root)') },
        { id: 2, callFrame: cf('main'), parent: 1 },
      ],
      [2, 2],
      [0, 100],
    ),
    chunk('0x1', 7, [{ id: 3, callFrame: cf('render'), parent: 2 }], [3, 3, 2], [200, -50, 100]),
    { name: 'Profile', ph: 'P', id: '0x2', pid: 1, tid: 8, ts: 0, args: { data: { startTime: 0 } } },
    chunk(
      '0x2',
      8,
      [
        { id: 1, callFrame: cf('(root)') },
        { id: 2, callFrame: cf('worker'), parent: 1 },
      ],
      [2, 2],
      [0, 400],
    ),
  ];
  const p = await importProfileSource(bufferSource('t.json', JSON.stringify(events)));
  assert.equal(p.meta.format, 'chrome-trace');
  const stacks = new Set<string>();
  for (let n = 0; n < p.nodeCount; n++)
    stacks.add(
      p
        .stackOf(n)
        .map((f) => p.frames[f].name)
        .join('>'),
    );
  assert.ok(stacks.has('main>render') && stacks.has('worker'));
  // thread 7: times 0,100,300,250,350 → sorted; weights to the next sample
  for (let i = 1; i < p.sampleCount; i++) assert.ok(p.sampleTime![i] >= p.sampleTime![i - 1], 'time order');
  for (let i = 0; i < p.sampleCount; i++) assert.ok(p.sampleWeight[i] >= 0);
  const w = frameWeights(p);
  const f = (name: string) => p.frames.findIndex((x) => x.name === name);
  assert.equal(w.total[f('main')], 350);
  assert.equal(w.total[f('worker')], 400);
});

test('speedscope evented profiles become samples; an unbalanced close is an error with its place', async () => {
  const doc = (events: unknown[]) =>
    JSON.stringify({
      $schema: 'https://www.speedscope.app/file-format-schema.json',
      shared: { frames: [{ name: 'a' }, { name: 'b' }] },
      profiles: [{ type: 'evented', name: 'x', unit: 'microseconds', startValue: 0, endValue: 10, events }],
    });
  const p = await importProfileSource(
    bufferSource(
      'e.json',
      doc([
        { type: 'O', at: 0, frame: 0 },
        { type: 'O', at: 2, frame: 1 },
        { type: 'C', at: 7, frame: 1 },
        { type: 'C', at: 10, frame: 0 },
      ]),
    ),
  );
  const w = frameWeights(p);
  assert.deepEqual([w.self[0], w.self[1], w.total[0]], [5, 5, 10]);
  await assert.rejects(
    importProfileSource(bufferSource('e.json', doc([{ type: 'C', at: 1, frame: 1 }]))),
    /e\.json: speedscope: profiles\[0\]\.events\[0\] closes frame 1 which is not open/,
  );
});

test('folded: two-count diff lines, async-profiler and py-spy decorations, comments and blank lines', async () => {
  const text =
    '# comment\n\nmain;run_[j];Foo.bar_[i] 4 6\nmain;handle (app.py:12);dumps (json/__init__.py:231) 2 0\n';
  const after = await importProfileSource(bufferSource('d.folded', text));
  const before = await importProfileSource(bufferSource('d.folded', text), { column: 'before' });
  assert.equal(after.meta.format, 'folded-diff');
  assert.equal(after.totalWeight, 6);
  assert.equal(before.totalWeight, 6);
  assert.ok(after.frames.some((f) => f.name === 'Foo.bar'));
  const dumps = before.frames.find((f) => f.name === 'dumps')!;
  assert.equal(dumps.file, 'json/__init__.py');
  const node = [...before.lineWeights.keys()].find(
    (n) => before.frames[before.nodeFrame[n]].name === 'dumps',
  )!;
  assert.deepEqual(before.lineWeights.get(node), [[231, 2]]);
});

test('pprof: every sample type, the default as pprof defines it, and --sample-type', async () => {
  const { readFileSync } = await import('node:fs');
  const { fixture } = await import('../helpers.js');
  const buf = readFileSync(fixture('profiles', 'go-cpu', 'go-cpu.pb.gz'));
  const cpu = await importProfileSource(bufferSource('cpu.pb.gz', buf));
  assert.equal(cpu.unit, 'ns'); // Go writes [samples/count, cpu/nanoseconds]; the last is the default
  const samples = await importProfileSource(bufferSource('cpu.pb.gz', buf), { sampleType: 'samples' });
  assert.equal(samples.unit, 'count');
  assert.equal(Math.round(cpu.totalWeight / samples.totalWeight), 10_000_000); // 100 Hz
  await assert.rejects(
    importProfileSource(bufferSource('cpu.pb.gz', buf), { sampleType: 'alloc_space' }),
    (e: Error & { hint?: string }) => {
      assert.match(e.message, /cpu\.pb\.gz: pprof: no sample type "alloc_space"/);
      assert.match(e.hint ?? '', /samples \(count\), cpu \(nanoseconds\)/);
      return true;
    },
  );
});
