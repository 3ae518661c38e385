import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, tempDir } from '../helpers.js';
import { snapshotsOf } from './heap-fixtures.js';

function perfloop(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return perfloopWith({}, ...args);
}

function perfloopWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('perfloop heap summary FILE --json: the perfloop/heap-summary@1 contract', async () => {
  const [file] = await snapshotsOf('unbounded-collection');
  const r = await perfloop('heap', 'summary', file, '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.schema, 'perfloop/heap-summary@1');
  assert.ok(Number.isInteger(s.nodes) && Number.isInteger(s.edges) && s.totalSize > 1e6);
  for (const c of s.byConstructor) assert.deepEqual(Object.keys(c), ['name', 'count', 'selfSize', 'retainedSize']);
  const session = s.byConstructor.find((c: { name: string }) => c.name === 'Session');
  assert.equal(session.count, 500);
  assert.ok(session.retainedSize >= session.selfSize);
  assert.ok(s.largestRetainers.some((x: { name: string; path: string }) => x.name === 'Map' && /\.sessions → Map$/.test(x.path)));
  assert.ok(Array.isArray(s.duplicatedStrings));
  assert.deepEqual(Object.keys(s.timings), ['parseMs', 'dominatorsMs', 'analysisMs']);
  assert.ok(Object.values(s.timings).every((v) => Number.isInteger(v) && (v as number) >= 0));
  const text = await perfloop('heap', 'summary', file);
  assert.match(text.stdout, /Constructor\s+Count\s+Self size\s+Retained size/);
});

test('perfloop heap diff S1 S2 S3 --json: the perfloop/heap-diff@1 contract', async () => {
  const files = await snapshotsOf('listener-leak');
  const r = await perfloop('heap', 'diff', ...files, '--json');
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(d.schema, 'perfloop/heap-diff@1');
  assert.deepEqual(
    d.snapshots.map((s: { file: string }) => s.file),
    files,
  );
  for (const s of d.snapshots) for (const k of ['file', 'nodes', 'totalSize']) assert.ok(k in s);
  for (const g of d.growing) for (const k of ['name', 'countDelta', 'sizeDelta', 'retainedDelta', 'monotonic']) assert.ok(k in g, k);
  assert.equal(d.findings[0].rule, 'memory.listener-leak');
  const text = await perfloop('heap', 'diff', ...files);
  assert.match(text.stdout, /\[critical\] memory\.listener-leak: /);
  assert.match(text.stdout, /retained by: .*configBus → EventEmitter/);
});

test('a truncated snapshot: exit 2 and one line naming the file, the expectation and the byte offset', async () => {
  const [src] = await snapshotsOf('no-leak');
  const file = join(tempDir(), 'half.heapsnapshot');
  copyFileSync(src, file);
  truncateSync(file, 1_000_000);
  const r = await perfloop('heap', 'summary', file);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^perfloop: HEAP_SNAPSHOT_TRUNCATED: .*half\.heapsnapshot: .*expected .* at byte 1000000, found end of file/);
  const diff = await perfloop('heap', 'diff', src, file);
  assert.equal(diff.code, 2);
});

test('usage errors exit 2', async () => {
  assert.equal((await perfloop('heap')).code, 2);
  assert.equal((await perfloop('heap', 'diff', 'only-one.heapsnapshot')).code, 2);
  assert.equal((await perfloop('heap', 'summarise', 'x')).code, 2);
  const missing = await perfloop('heap', 'summary', '/nonexistent/x.heapsnapshot');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file/);
});

test('perfloop heap summary: a snapshot too big for the memory available fails at its header, exit 1, one line', async () => {
  const [file] = await snapshotsOf('no-leak');
  const r = await perfloopWith({ PERFLOOP_MEMORY_LIMIT_MB: '20' }, 'heap', 'summary', file);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /\d+ nodes and \d+ edges need about [\d.]+ GB to analyse, 0\.0 GB is available/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const ok = await perfloopWith({ PERFLOOP_MEMORY_LIMIT_MB: '4000' }, 'heap', 'summary', file, '--json');
  assert.equal(ok.code, 0, ok.stderr);
});
