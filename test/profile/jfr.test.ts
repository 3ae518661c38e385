/**
 * JFR: a tiny CPU-bound Java program is compiled and recorded here with the JVM's own Flight Recorder, then
 * imported through `jfr print --json`: the planted hot method carries the execution samples, under its caller,
 * with the lines it ran; allocation samples are a second sample type in bytes; broken recordings exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfloopError } from '../../src/core/errors.js';
import type { Profile } from '../../src/core/profile.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { JfrEventSplitter, javaTypeName } from '../../src/profile/import/jfr.js';
import {
  bufferSource,
  detectImporter,
  importProfileFile,
  importProfileSource,
} from '../../src/profile/import/index.js';
import { tempDir } from '../helpers.js';
import { toolInstalled } from '../../src/profile/capture/external.js';

const haveJdk = toolInstalled('javac') && toolInstalled('java') && toolInstalled('jfr');
const skip =
  haveJdk || process.env.CI
    ? false
    : 'no JDK here (javac, java, jfr): apt-get install openjdk-17-jdk-headless';

const PROGRAM = `
public class HotLoop {
  static long crunchNumbers(long n) {
    long s = 0;
    for (long i = 0; i < n; i++) s += (i * 31) ^ (s >>> 3);
    return s;
  }
  static int buildStrings(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) b.append(i).append(',');
    return b.toString().length();
  }
  static long work() { return crunchNumbers(3_000_000) + buildStrings(2_000); }
  public static void main(String[] args) {
    long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000L;
    long t = 0;
    while (System.nanoTime() < end) t += work();
    System.out.println(t);
  }
}
`;

let recording: string | undefined;
/** Records the program once (about 2 s of JVM time) and shares the file between the tests. */
function record(): string {
  if (recording) return recording;
  const dir = tempDir('perfloop-jfr-');
  writeFileSync(join(dir, 'HotLoop.java'), PROGRAM);
  const javac = spawnSync('javac', ['HotLoop.java'], { cwd: dir, encoding: 'utf8' });
  assert.equal(javac.status, 0, javac.stderr);
  const out = join(dir, 'hot.jfr');
  const java = spawnSync(
    'java',
    [`-XX:StartFlightRecording=filename=${out},settings=profile`, '-Xlog:jfr=warning', 'HotLoop', '1500'],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(java.status, 0, java.stderr);
  return (recording = out);
}

const weightOf = (p: Profile, name: string) => {
  const w = frameWeights(p);
  const i = p.frames.findIndex((f) => f.name === name);
  return i < 0 ? { self: 0, total: 0, all: w.all } : { self: w.self[i], total: w.total[i], all: w.all };
};

test('JFR execution samples: the hot method, its caller, its file and lines', { skip }, async () => {
  const path = record();
  const importer = await detectImporter(bufferSource('recording.bin', readFileSync(path)));
  assert.equal(importer.format, 'jfr', 'detected by content (FLR magic), not only by the .jfr name');
  const p = await importProfileFile(path);
  assert.equal(p.meta.format, 'jfr');
  assert.equal(p.unit, 'samples');
  assert.ok(p.sampleCount >= 20, `${p.sampleCount} samples`);
  const hot = weightOf(p, 'HotLoop.crunchNumbers');
  assert.ok(hot.self / hot.all > 0.5, `crunchNumbers self ${((100 * hot.self) / hot.all).toFixed(1)}%`);
  const work = weightOf(p, 'HotLoop.work');
  assert.ok(work.total / work.all > 0.9, 'every sample of the main thread runs under work()');
  const hotFrame = p.frames.findIndex((f) => f.name === 'HotLoop.crunchNumbers');
  assert.equal(p.frames[hotFrame].file, 'HotLoop.java');
  // The caller → callee edge is in the tree, and main is the root of the main thread's stacks.
  const edge = [...p.nodeFrame.keys()].some(
    (n) => p.nodeFrame[n] === hotFrame && p.frames[p.nodeFrame[p.nodeParent[n]]].name === 'HotLoop.work',
  );
  assert.ok(edge, 'work → crunchNumbers');
  const mainNode = [...p.nodeFrame.keys()].find((n) => p.nodeFrame[n] === hotFrame)!;
  assert.equal(p.frames[p.stackOf(mainNode)[0]].name, 'HotLoop.main');
  // Lines executing inside crunchNumbers (the loop is lines 4–5 of the source).
  const lines = [...p.lineWeights.entries()]
    .filter(([n]) => p.nodeFrame[n] === hotFrame)
    .flatMap(([, l]) => l);
  assert.ok(
    lines.some(([line]) => line === 4 || line === 5),
    `lines ${JSON.stringify(lines)}`,
  );
  // JDK frames point at the standard library, user frames at the user's class.
  const jdk = p.frames.find((f) => f.name.startsWith('java.lang.'));
  if (jdk) assert.match(jdk.file ?? '', /^jrt:\/java\/lang\//);
});

test(
  'JFR allocation samples: --sample-type alloc, bytes, the allocated class as the leaf',
  { skip },
  async () => {
    const p = await importProfileFile(record(), { sampleType: 'alloc' });
    assert.equal(p.unit, 'bytes');
    assert.ok(p.sampleCount > 0);
    assert.ok(p.totalWeight > 1024, `${p.totalWeight} bytes`);
    const leaves = new Set(Array.from(p.sampleNode, (n) => p.frames[p.nodeFrame[n]].name));
    assert.ok(
      [...leaves].every((l) => l.startsWith('new ')),
      [...leaves].join(', '),
    );
    const underBuild = weightOf(p, 'HotLoop.buildStrings');
    assert.ok(underBuild.total > 0, 'buildStrings allocates (StringBuilder growth)');
  },
);

test(
  'JFR: a thread filter, an unknown sample type and a cut recording fail with one line',
  { skip },
  async () => {
    const path = record();
    const main = await importProfileFile(path, { thread: 'main' });
    assert.ok(main.sampleCount > 0);
    await assert.rejects(importProfileFile(path, { thread: 'no-such-thread' }), (e: unknown) => {
      assert.ok(e instanceof PerfloopError && e.exitCode === 2);
      assert.match(e.message, /no execution samples .*on thread "no-such-thread"/);
      assert.match(e.hint ?? '', /main/);
      return true;
    });
    await assert.rejects(
      importProfileFile(path, { sampleType: 'inuse_space' }),
      /no sample type "inuse_space"/,
    );
    const cut = readFileSync(path).subarray(0, 3000);
    await assert.rejects(importProfileSource(bufferSource('cut.jfr', cut)), (e: unknown) => {
      assert.ok(e instanceof PerfloopError && e.exitCode === 2, String(e));
      assert.match(e.message, /^cut\.jfr: jfr: not a readable JFR recording/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  },
);

test(
  'saved `jfr print --json` output imports without the JDK, the same as the recording',
  { skip },
  async () => {
    const path = record();
    const json = spawnSync('jfr', ['print', '--json', '--stack-depth', '64', path], { maxBuffer: 1 << 28 });
    assert.equal(json.status, 0);
    const src = bufferSource('saved.json', json.stdout);
    assert.equal((await detectImporter(src)).format, 'jfr');
    const fromJson = await importProfileSource(src);
    const fromRecording = await importProfileFile(path);
    assert.equal(fromJson.sampleCount, fromRecording.sampleCount);
    const hot = (p: Profile) => weightOf(p, 'HotLoop.crunchNumbers').self;
    assert.equal(hot(fromJson), hot(fromRecording));
  },
);

test('the event splitter finds events across chunk boundaries and ignores brackets in strings', () => {
  const doc = JSON.stringify({
    recording: {
      events: [
        { type: 'a', values: { s: '}]{[' } },
        { type: 'b', values: { n: [1, 2] } },
      ],
    },
  });
  const seen: string[] = [];
  const s = new JfrEventSplitter((e) => seen.push(`${e.type}:${JSON.stringify(e.values)}`));
  for (let i = 0; i < doc.length; i += 3) s.write(doc.slice(i, i + 3));
  assert.deepEqual(seen, ['a:{"s":"}]{["}', 'b:{"n":[1,2]}']);
});

test('Java type names: arrays and nested classes as source spells them', () => {
  assert.equal(javaTypeName('[B'), 'byte[]');
  assert.equal(javaTypeName('[[I'), 'int[][]');
  assert.equal(javaTypeName('[Ljava/lang/String;'), 'java.lang.String[]');
  assert.equal(javaTypeName('java/util/HashMap$Node'), 'java.util.HashMap$Node');
});

test('an import through jfr print stops with its signal (Ctrl-C), as INTERRUPTED', { skip }, async () => {
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(importProfileFile(record(), { signal: abort.signal }), (e: unknown) => {
    assert.ok(e instanceof PerfloopError && e.code === 'INTERRUPTED', String(e));
    return true;
  });
});
