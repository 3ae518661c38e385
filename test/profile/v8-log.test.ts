/**
 * V8 `--prof` logs: a CPU-bound script is run here under `node --prof`, and the isolate log it writes is imported
 * through Node's own `--prof-process --preprocess` — the planted hot function carries the ticks, with its file and
 * line; the preprocessed JSON reads the same without a second processing; broken inputs exit 2 with one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfloopError } from '../../src/core/errors.js';
import type { Profile } from '../../src/core/profile.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import {
  bufferSource,
  detectImporter,
  importProfileFile,
  importProfileSource,
} from '../../src/profile/import/index.js';
import { tempDir } from '../helpers.js';

const SCRIPT = `function crunchNumbers(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i * 31) % 1000003;
  return s;
}
function main() {
  const end = Date.now() + 1500;
  let t = 0;
  while (Date.now() < end) t += crunchNumbers(1e5);
  return t;
}
console.log(main());
`;

let logPath: string | undefined;
/** One `node --prof` run shared by the tests (the log lands in the working directory). */
function recordLog(): string {
  if (logPath) return logPath;
  const dir = tempDir('perfloop-v8log-');
  writeFileSync(join(dir, 'hot.js'), SCRIPT);
  const r = spawnSync(process.execPath, ['--prof', 'hot.js'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const log = readdirSync(dir).find((f) => /^isolate-.*-v8\.log$/.test(f));
  assert.ok(log, 'node --prof wrote an isolate log');
  return (logPath = join(dir, log));
}

const selfShare = (p: Profile, name: string) => {
  const w = frameWeights(p);
  const i = p.frames.findIndex((f) => f.name === name);
  return i < 0 ? 0 : w.self[i] / w.active;
};

test('node --prof: the isolate log names the hot function, its file and line', async () => {
  const path = recordLog();
  const p = await importProfileFile(path);
  assert.equal(p.meta.format, 'v8-log');
  assert.equal(p.unit, 'us');
  assert.ok(p.sampleCount > 100, `${p.sampleCount} ticks`);
  // The hottest function by self time (startup and compilation take a share that grows on a busy machine).
  const w = frameWeights(p);
  const hottest = p.frames
    .map((f, i) => [f, w.self[i]] as const)
    .filter(([f]) => f.kind === 'code')
    .sort((a, b) => b[1] - a[1])[0][0];
  assert.equal(hottest.name, 'crunchNumbers');
  assert.ok(selfShare(p, 'crunchNumbers') > 0.25, `crunchNumbers ${selfShare(p, 'crunchNumbers')}`);
  const hot = p.frames.find((f) => f.name === 'crunchNumbers')!;
  assert.match(hot.file ?? '', /hot\.js$/);
  assert.equal(hot.line, 1);
  // The total is the time the ticks span (µs), about the 1.5 s the script ran.
  assert.ok(p.totalWeight > 300_000 && p.totalWeight < 60_000_000, `total ${p.totalWeight} µs`);
  // C++ frames carry their library, without ELF symbol versions.
  assert.ok(!p.frames.some((f) => /@@/.test(f.name)));
  assert.ok(p.frames.some((f) => f.file && /(node|\.so[.\d]*)$/.test(f.file)));
});

test('the preprocessed JSON imports the same, and both are detected by content', async () => {
  const path = recordLog();
  const pre = spawnSync(process.execPath, ['--no-warnings', '--prof-process', '--preprocess', path], {
    maxBuffer: 1 << 28,
  });
  assert.equal(pre.status, 0, String(pre.stderr));
  const json = bufferSource('profile.json', pre.stdout);
  assert.equal((await detectImporter(json)).format, 'v8-log');
  assert.equal((await detectImporter(bufferSource('app.log', readFileSync(path)))).format, 'v8-log');
  const a = await importProfileSource(json);
  const b = await importProfileFile(path);
  assert.equal(a.sampleCount, b.sampleCount);
  assert.equal(selfShare(a, 'crunchNumbers'), selfShare(b, 'crunchNumbers'));
});

test('a V8 log without ticks, and text that is no V8 log, fail with one line', async () => {
  await assert.rejects(
    importProfileSource(bufferSource('empty-v8.log', 'v8-version,11,3,244,8,0,0\n'), { format: 'v8-log' }),
    (e: unknown) => {
      assert.ok(e instanceof PerfloopError && e.exitCode === 2, String(e));
      assert.match(e.message, /v8-log: (the log has no ticks|node --prof-process failed)/);
      return true;
    },
  );
  await assert.rejects(
    importProfileSource(bufferSource('x.log', 'hello\n'), { format: 'v8-log' }),
    /x\.log: v8-log: not a V8 log/,
  );
});

test('an import through node --prof-process stops with its signal (Ctrl-C), as INTERRUPTED', async () => {
  const path = recordLog();
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(importProfileFile(path, { signal: abort.signal }), (e: unknown) => {
    assert.ok(e instanceof PerfloopError && e.code === 'INTERRUPTED', String(e));
    assert.match(e.message, /stopped before `node --prof-process` finished/);
    return true;
  });
});
