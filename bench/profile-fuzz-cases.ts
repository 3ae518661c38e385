/**
 * Seed files and mutations for fuzzing the importers (test/profile/fuzz.test.ts runs a short fixed-seed pass,
 * bench/profile-fuzz.ts the long one). Seeds are small valid files of each format written here, so the fuzz test
 * needs no corpus; the mutations are what real damage looks like: a file cut short, flipped bytes, a number too
 * large for any integer, nesting thousands deep, a UTF-16 re-encoding, a section repeated.
 */
import fc from 'fast-check';
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

function pprofSeed(): Buffer {
  const st = new StringTable();
  const fn = new PFunction({ id: 1, name: st.dedup('main.work'), filename: st.dedup('/app/main.go') });
  const loc = new Location({ id: 1, line: [new Line({ functionId: 1, line: 7 })] });
  const p = new PProfile({
    sampleType: [new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') })],
    sample: [new Sample({ locationId: [1], value: [3] })],
    location: [loc],
    function: [fn],
    stringTable: st,
  });
  return gzipSync(Buffer.from(p.encode()));
}

/** What `jfr print --json` writes (the JDK's tool; a binary recording needs a JVM per case, too slow to fuzz). */
const jfrFrame = (cls: string, method: string, line: number) => ({
  method: { type: { name: cls, package: { name: 'app' } }, name: method, descriptor: '()V' },
  lineNumber: line,
  bytecodeIndex: 3,
  type: 'JIT compiled',
});
const jfrJsonSeed = JSON.stringify(
  {
    recording: {
      events: [
        {
          type: 'jdk.ExecutionSample',
          values: {
            startTime: '2026-12-01T23:08:04.422630709Z',
            sampledThread: { osName: 'main', javaName: 'main', javaThreadId: 1 },
            stackTrace: {
              truncated: false,
              frames: [jfrFrame('app/Hot', 'spin', 4), jfrFrame('app/Hot', 'main', 9)],
            },
            state: 'STATE_RUNNABLE',
          },
        },
        {
          type: 'jdk.ObjectAllocationSample',
          values: {
            eventThread: { osName: 'main', javaName: 'main' },
            stackTrace: { truncated: true, frames: [jfrFrame('app/Hot', 'main', 9)] },
            objectClass: { name: '[B' },
            weight: 4096,
          },
        },
      ],
    },
  },
  null,
  2,
);

const cpuprofile = JSON.stringify({
  nodes: [
    {
      id: 1,
      callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 },
      children: [2],
    },
    {
      id: 2,
      callFrame: { functionName: 'work', url: 'file:///app.js', lineNumber: 3, columnNumber: 1 },
      children: [],
    },
  ],
  startTime: 0,
  endTime: 3000,
  samples: [2, 2, 1],
  timeDeltas: [1000, 1000, 1000],
});

export const SEEDS: Record<string, (string | Buffer)[]> = {
  speedscope: [
    JSON.stringify({
      $schema: 'https://www.speedscope.app/file-format-schema.json',
      shared: { frames: [{ name: 'a' }, { name: 'b' }] },
      profiles: [
        {
          type: 'sampled',
          name: 'p',
          unit: 'milliseconds',
          startValue: 0,
          endValue: 2,
          samples: [[0, 1]],
          weights: [2],
        },
      ],
    }),
  ],
  'chrome-trace': [
    JSON.stringify({
      metadata: { source: 'DevTools' },
      traceEvents: [
        { name: 'Profile', ph: 'P', pid: 1, tid: 1, id: '0x1', ts: 0, args: { data: { startTime: 0 } } },
        {
          name: 'ProfileChunk',
          ph: 'P',
          pid: 1,
          tid: 1,
          id: '0x1',
          ts: 1,
          args: {
            data: {
              cpuProfile: {
                nodes: [
                  { id: 1, callFrame: { functionName: '(root)' } },
                  { id: 2, parent: 1, callFrame: { functionName: 'f' } },
                ],
                samples: [2, 2],
              },
              timeDeltas: [10, 10],
            },
          },
        },
      ],
    }),
  ],
  'trace-event': [
    '[{"pid":0,"tid":0,"ph":"B","name":"a","ts":0},{"pid":0,"tid":0,"ph":"X","name":"b","ts":1,"dur":3},{"pid":0,"tid":0,"ph":"E","name":"a","ts":9}]',
    JSON.stringify({
      traceEvents: [],
      samples: [
        { ts: 1, sf: 2, tid: 1 },
        { ts: 5, sf: 1, tid: 1 },
      ],
      stackFrames: { 1: { name: 'root' }, 2: { name: 'f(a.js:1:2)', parent: 1 } },
    }),
  ],
  cpuprofile: [
    cpuprofile,
    '{"head":{"functionName":"(root)","id":1,"children":[{"functionName":"f","id":2,"children":[]}]},"startTime":0,"endTime":1,"samples":[2,2],"timestamps":[1,2]}',
  ],
  firefox: [
    // Processed (samply, the Firefox profiler): column tables, shared strings, time deltas.
    JSON.stringify({
      meta: { version: 27, preprocessedProfileVersion: 48, interval: 1, categories: [{ name: 'Idle' }] },
      shared: { stringArray: ['main', 'f', 'a.js'] },
      threads: [
        {
          name: 'GeckoMain',
          tid: 1,
          funcTable: { length: 2, name: [0, 1], fileName: [2, 2], lineNumber: [1, 5], resource: [-1, -1] },
          frameTable: { length: 2, func: [0, 1], line: [null, 6], category: [null, 0] },
          stackTable: { length: 2, prefix: [null, 0], frame: [0, 1] },
          samples: { length: 3, stack: [1, 0, null], timeDeltas: [0, 2, 1] },
        },
      ],
    }),
    // Raw Gecko: schema rows, a child process as a JSON string.
    JSON.stringify({
      meta: { version: 24, interval: 1, startTime: 0 },
      threads: [
        {
          name: 'GeckoMain',
          tid: 1,
          stringTable: ['(root)', 'f (https://x/a.js:3:1)', 'js::RunScript'],
          frameTable: {
            schema: { location: 0, line: 1, category: 2 },
            data: [[0], [2, 10, null], [1, null, null]],
          },
          stackTable: {
            schema: { prefix: 0, frame: 1 },
            data: [
              [null, 0],
              [0, 1],
              [1, 2],
            ],
          },
          samples: {
            schema: { stack: 0, time: 1 },
            data: [
              [2, 0],
              [1, 1],
              [2, 3],
            ],
          },
        },
      ],
      processes: [
        JSON.stringify({
          meta: { version: 24, interval: 1, startTime: 5 },
          threads: [
            {
              name: 'w',
              stringTable: ['g (https://x/b.js:1)'],
              frameTable: { schema: { location: 0 }, data: [[0]] },
              stackTable: { schema: { prefix: 0, frame: 1 }, data: [[null, 0]] },
              samples: {
                schema: { stack: 0, time: 1 },
                data: [
                  [0, 0],
                  [0, 1],
                ],
              },
            },
          ],
        }),
      ],
    }),
  ],
  pprof: [pprofSeed()],
  jfr: [jfrJsonSeed],
  callgrind: [
    '# callgrind format\nevents: Ir\nfl=(1) a.c\nfn=(1) main\n16 20\ncfn=(2) f\ncalls=1 50\n+1 400\nfn=(2)\n51 100\ncfi=(2) b.c\ncfn=(3) g\ncalls=2 20\n* -50\nfl=(2)\nfn=(3)\n20 50\n',
  ],
  stackprof: [
    JSON.stringify({
      version: 1.2,
      mode: 'wall',
      interval: 1000,
      frames: {
        '1': { name: '<main>', file: '/a.rb', line: 1 },
        '2': { name: 'f', file: '/a.rb', line: 3 },
        '9': { name: '(garbage collection)' },
      },
      raw: [2, 1, 2, 3, 1, 9, 1],
      raw_timestamp_deltas: [1000, 900, 1100, 800],
    }),
  ],
  // `node --prof-process --preprocess` output (a raw log would start a node per case: too slow to fuzz).
  'v8-log': [
    JSON.stringify({
      code: [
        { name: '/usr/bin/node', type: 'SHARED_LIB' },
        { name: 'node::Start(int, char**)', type: 'CPP' },
        { name: 'crunch /app/hot.js:1:23', type: 'JS', kind: 'Opt', func: 0 },
        { name: 'InterpreterEntryTrampoline', type: 'CODE', kind: 'Builtin' },
      ],
      functions: [],
      ticks: [
        { tm: 1000, vm: 0, s: [2, 10, 3, 4, 1, 0] },
        { tm: 2000, vm: 1, s: [-1, 123456, 1, 0] },
        { tm: 3000, vm: 0, s: [2, 12, 99999, 0] },
      ],
      scripts: [],
    }),
  ],
  'perf-script': [
    'app 12/12 [000] 100.000001: 250000 cpu-clock:\n\t  4005d0 go/build.(*Context).Import+0x10 (/app)\n\t  4005e0 main (/app)\n\napp 12/12 [000] 100.000002: 250000 cpu-clock:\n\t ffffffff81 do_syscall_64 ([kernel.kallsyms])\n\n',
    '        app  12 [000] 1.0: 1 cycles:   4005d0 spin+0x1 (/app)\n        app  12 [000] 1.1: 1 instructions:   4005d0 spin+0x1 (/app)\n',
  ],
  folded: ['main;a;b 3\nmain;a 2\n# c\nmain;c (x.py:3) 1\n', Buffer.from('\ufeffmain;a 1\n', 'utf16le')],
};

export const fuzzSeeds = (format: string) =>
  (SEEDS[format] ?? []).map((s) => (typeof s === 'string' ? Buffer.from(s) : s));

type Mutate = (b: Buffer) => Buffer;

/** One kind of damage, with its parameters drawn by fast-check. */
export function mutation(): fc.Arbitrary<Mutate> {
  return fc.oneof(
    fc
      .double({ min: 0, max: 1, noNaN: true })
      .map((f) => (b: Buffer) => b.subarray(0, Math.floor(b.length * f))),
    fc
      .array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      })
      .map((flips) => (b: Buffer) => {
        const c = Buffer.from(b);
        for (const [at, v] of flips) if (c.length) c[Math.min(c.length - 1, Math.floor(at * c.length))] = v;
        return c;
      }),
    fc
      .constantFrom('1e400', '-1', '99999999999999999999999', 'NaN', '"x"', 'null', '[]', '{}')
      .map((n) => (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\d+/, n), 'latin1')),
    fc.integer({ min: 1000, max: 20000 }).map((d) => (b: Buffer) => {
      const s = b.toString('latin1');
      const at = Math.max(0, s.indexOf('[') + 1);
      return Buffer.from(`${s.slice(0, at)}${'['.repeat(d)}${s.slice(at)}`, 'latin1');
    }),
    fc.constant((b: Buffer) =>
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b.toString('latin1'), 'utf16le')]),
    ),
    fc
      .integer({ min: 2, max: 50 })
      .map((k) => (b: Buffer) => Buffer.concat(Array.from({ length: k }, () => b))),
    fc
      .integer({ min: 1, max: 2000 })
      .map((k) => (b: Buffer) => Buffer.from(b.toString('latin1').replace(/;/g, ';'.repeat(k)), 'latin1')),
  );
}
