/**
 * Firefox/Gecko profiles: the processed profile (column tables, strings in `shared.stringArray`, `timeDeltas`) as
 * the Firefox profiler and samply save it, and the raw Gecko profile (`{schema, data}` rows, a child process as a
 * JSON string) as Firefox writes it — stacks from the prefix tree, a sample lasting until its thread's next one
 * (the last one the interval), threads as separate profiles chosen with `--thread`. Then Firefox DevTools' own
 * export from the corpus (speedscope's samples; samply and Vernier cannot be installed here to make a new file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { profileCorpus } from '../../bench/conformance/corpus.js';
import { PerfloopError } from '../../src/core/errors.js';
import type { Profile } from '../../src/core/profile.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { nodeCategories } from '../../src/profile/analyse/categories.js';
import {
  bufferSource,
  detectImporter,
  importProfileFile,
  importProfileSource,
} from '../../src/profile/import/index.js';
import { geckoLocation } from '../../src/profile/import/firefox.js';

function selfByName(p: Profile): Record<string, number> {
  const w = frameWeights(p);
  const out: Record<string, number> = {};
  p.frames.forEach((f, i) => (out[f.name] = (out[f.name] ?? 0) + w.self[i]));
  return out;
}

function stacks(p: Profile): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < p.sampleCount; i++) {
    const key = p
      .stackOf(p.sampleNode[i])
      .map((f) => p.frames[f].name)
      .join(';');
    out[key] = (out[key] ?? 0) + p.sampleWeight[i];
  }
  return out;
}

// samply-style processed profile: strings shared, main thread in JS, a worker in native code.
const strings = ['(root)', 'main', 'render', 'app.js', '0x1a2b', 'hash_block', 'libcrypto.so'];
const processed = {
  meta: {
    version: 27,
    preprocessedProfileVersion: 48,
    interval: 1,
    startTime: 0,
    categories: [{ name: 'Other' }, { name: 'Idle' }],
  },
  libs: [{ name: 'libcrypto.so', debugName: 'libcrypto.so', path: '/usr/lib/libcrypto.so' }],
  shared: { stringArray: strings },
  threads: [
    {
      name: 'GeckoMain',
      processType: 'default',
      pid: '100',
      tid: 100,
      // func 0 (root), 1 main, 2 render
      funcTable: {
        length: 3,
        name: [0, 1, 2],
        fileName: [null, 3, 3],
        lineNumber: [null, 1, 10],
        columnNumber: [null, 1, 5],
        resource: [-1, -1, -1],
        isJS: [false, true, true],
      },
      frameTable: {
        length: 3,
        func: [0, 1, 2],
        line: [null, 2, 12],
        column: [null, null, null],
        category: [0, 0, 0],
        address: [-1, -1, -1],
      },
      stackTable: { length: 3, prefix: [null, 0, 1], frame: [0, 1, 2] },
      resourceTable: { length: 0, lib: [], name: [], host: [], type: [] },
      // (root);main;render at 0, 2, (root);main at 5, render again at 6: 2 + 3 ms, then 1 ms, then the interval.
      samples: {
        length: 4,
        stack: [2, 2, 1, 2],
        timeDeltas: [0, 2, 3, 1],
        weight: null,
        weightType: 'samples',
      },
    },
    {
      name: 'Worker',
      processType: 'default',
      pid: '100',
      tid: 101,
      funcTable: {
        length: 2,
        name: [5, 4],
        fileName: [null, null],
        lineNumber: [null, null],
        columnNumber: [null, null],
        resource: [0, 0],
        isJS: [false, false],
      },
      frameTable: {
        length: 2,
        func: [0, 1],
        line: [null, null],
        column: [null, null],
        category: [0, 0],
        address: [10, 20],
      },
      stackTable: { length: 2, prefix: [null, 0], frame: [0, 1] },
      resourceTable: { length: 1, lib: [0], name: [6], host: [null], type: [1] },
      samples: { length: 2, stack: [1, 0], time: [10, 14], weight: null, weightType: 'samples' },
    },
  ],
};

test('processed profile: stacks from the prefix tree, time to the next sample, last one the interval', async () => {
  const src = bufferSource('profile.json', JSON.stringify(processed));
  assert.equal((await detectImporter(src)).format, 'firefox');
  const main = await importProfileSource(src, { thread: 'GeckoMain' });
  assert.equal(main.meta.format, 'firefox');
  assert.equal(main.unit, 'us');
  assert.deepEqual(stacks(main), { 'main;render': 2000 + 3000 + 1000, main: 1000 });
  const render = main.frames.find((f) => f.name === 'render');
  assert.deepEqual([render?.file, render?.line], ['app.js', 12]); // the frame's line over the function's
  assert.deepEqual([...(main.sampleTime ?? [])], [0, 2000, 5000, 6000]);

  const worker = await importProfileSource(src, { thread: '101' }); // by tid
  assert.deepEqual(stacks(worker), { 'hash_block;0x1a2b': 4000, hash_block: 1000 });
  assert.equal(worker.frames.find((f) => f.name === '0x1a2b')?.file, 'libcrypto.so');
});

test('processed profile: threads merged by default with a warning naming them; an unknown thread lists them', async () => {
  const src = bufferSource('profile.json', JSON.stringify(processed));
  const all = await importProfileSource(src);
  assert.equal(all.totalWeight, 7000 + 5000);
  assert.match(all.meta.warnings?.join('\n') ?? '', /2 threads merged .*GeckoMain.*Worker.*--thread/);
  await assert.rejects(
    importProfileSource(src, { thread: 'Compositor' }),
    (e: unknown) =>
      e instanceof PerfloopError &&
      /no thread named "Compositor"/.test(e.message) &&
      /GeckoMain \(pid 100, tid 100\)/.test(e.hint ?? ''),
  );
});

// Raw Gecko profile: rows with schemas; the child process as a JSON string, as older Firefox writes it.
const geckoThread = (
  name: string,
  tid: number,
  stringTable: string[],
  frames: unknown[][],
  stackRows: unknown[][],
  samples: unknown[][],
) => ({
  name,
  processType: 'tab',
  tid,
  pid: 7,
  stringTable,
  frameTable: {
    schema: { location: 0, relevantForJS: 1, implementation: 2, line: 3, column: 4, category: 5 },
    data: frames,
  },
  stackTable: { schema: { prefix: 0, frame: 1 }, data: stackRows },
  samples: { schema: { stack: 0, time: 1, eventDelay: 2 }, data: samples },
});
const gecko = {
  meta: {
    version: 24,
    interval: 0.5,
    startTime: 1000,
    categories: [{ name: 'Idle' }, { name: 'Other' }, { name: 'JavaScript' }],
  },
  libs: [],
  threads: [
    geckoThread(
      'GeckoMain',
      1,
      [
        '(root)',
        'nsRefreshDriver::Tick',
        'onFrame (https://example.com/app.js -> https://example.com/anim.js:40:3)',
        'https://example.com/boot.js:1:1',
        'PollWrapper',
      ],
      [
        [0],
        [1, false, null, 900, null, 1],
        [2, false, null, null, null, 2],
        [3, false, null, null, null, 2],
        [4, false, null, 77, null, 0],
      ],
      [
        [null, 0],
        [0, 1],
        [1, 2],
        [0, 3],
        [0, 4],
      ],
      // tick;onFrame at 0 and 1, boot top level at 3, idle poll at 3.5 (last: the 0.5 ms interval)
      [
        [2, 0, 0],
        [2, 1, 0],
        [3, 3, 0],
        [4, 3.5, 0],
      ],
    ),
  ],
  processes: [
    JSON.stringify({
      meta: { version: 24, interval: 0.5, startTime: 1010 },
      threads: [
        geckoThread(
          'GeckoMain',
          9,
          ['(root)', 'paint (https://example.com/p.js:3)'],
          [[0], [1, false, null, null, null, null]],
          [
            [null, 0],
            [0, 1],
          ],
          [
            [1, 0, 0],
            [1, 2, 0],
          ],
        ),
      ],
    }),
  ],
};

test('raw Gecko profile: locations into name, file, line; idle category; child processes read', async () => {
  const src = bufferSource('gecko.json', JSON.stringify(gecko));
  assert.equal((await detectImporter(src)).format, 'firefox');
  const main = await importProfileSource(src, { thread: '1' });
  assert.deepEqual(stacks(main), {
    'nsRefreshDriver::Tick;onFrame': 3000,
    '(top-level)': 500,
    PollWrapper: 500,
  });
  const onFrame = main.frames.find((f) => f.name === 'onFrame');
  assert.deepEqual([onFrame?.file, onFrame?.line, onFrame?.col], ['https://example.com/anim.js', 40, 3]);
  assert.equal(main.frames.find((f) => f.name === 'PollWrapper')?.kind, 'idle');
  assert.equal(main.frames.find((f) => f.name === 'nsRefreshDriver::Tick')?.line, undefined); // Gecko's C++ line
  // Both GeckoMain threads (parent and child process) by name.
  const both = await importProfileSource(src, { thread: 'GeckoMain' });
  assert.equal(selfByName(both).paint, 2000 + 500);
  // The engine's C++ is "browser engine", the page's JS is the user's code.
  const cats = nodeCategories(main);
  const catOf = (name: string) =>
    cats.of([...Array(main.nodeCount).keys()].find((n) => main.frameOf(n).name === name) ?? -1);
  assert.equal(catOf('onFrame'), 'your code');
  assert.equal(catOf('nsRefreshDriver::Tick'), 'browser engine');
});

test('Gecko location strings', () => {
  assert.deepEqual(geckoLocation('a (file:///x/simple.js:1)'), {
    name: 'a',
    file: 'file:///x/simple.js',
    line: 1,
    col: undefined,
  });
  assert.deepEqual(geckoLocation('bound (self-hosted:951:0)'), {
    name: 'bound',
    file: 'self-hosted',
    line: 951,
    col: 0,
  });
  assert.deepEqual(geckoLocation('nsObserverService::NotifyObservers console-api-profiler'), {
    name: 'nsObserverService::NotifyObservers console-api-profiler',
  });
  assert.deepEqual(geckoLocation('resource://a/loader.js -> resource://b/framerate.js:1:0'), {
    name: '(top-level)',
    file: 'resource://b/framerate.js',
    line: 1,
    col: 0,
  });
  assert.deepEqual(geckoLocation('foo(int) (in libxul)'), { name: 'foo(int) (in libxul)' });
});

test('Firefox profile cut short: one clear error naming the format', async () => {
  const text = JSON.stringify(processed);
  const src = bufferSource('cut.json', text.slice(0, Math.floor(text.length * 0.6)));
  await assert.rejects(
    importProfileSource(src, { format: 'firefox' }),
    (e: unknown) => e instanceof PerfloopError && /cut\.json: Firefox profile/.test(e.message),
  );
});

const corpus = profileCorpus();
const ff = corpus ? join(corpus, 'speedscope/sample/profiles/Firefox') : '';

test(
  'Firefox DevTools export (corpus): the planted hot function d on top, stacks a;b;d and a;c;d',
  { skip: corpus && existsSync(ff) ? false : 'corpus not found (set PERFLOOP_CORPORA)' },
  async () => {
    const p = await importProfileFile(join(ff, '59/simple-firefox.json'));
    assert.equal(p.meta.format, 'firefox');
    const self = selfByName(p);
    const top = Object.entries(self).sort((a, b) => b[1] - a[1])[0];
    assert.equal(top[0], 'd');
    // speedscope's snapshot: d is 31.99 ms of self time, 20.97 under b and 11.02 under c.
    const s = stacks(p);
    const under = (suffix: string) =>
      Object.entries(s)
        .filter(([k]) => k.endsWith(suffix))
        .reduce((t, [, v]) => t + v, 0);
    assert.ok(Math.abs(under(';a;b;d') - 20971) < 50, String(under(';a;b;d')));
    assert.ok(Math.abs(under(';a;c;d') - 11021) < 50, String(under(';a;c;d')));
    const d = p.frames.find((f) => f.name === 'd');
    assert.deepEqual([d?.file, d?.line], ['file:///Users/jlfwong/code/speedscope/sample/simple.js', 20]);
    // The 2.4 MB profile of a real page (10,161 samples), read without a refusal.
    const big = await importProfileFile(join(ff, '59/firefox.json'));
    assert.ok(big.sampleCount > 10000, String(big.sampleCount));
  },
);
