import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { RunStore } from '../../src/store/run-store.js';
import { Histogram } from '../../src/core/histogram.js';
import { tempDir } from '../helpers.js';
import { sampleRecord as record } from './sample-record.js';
import { createRunFolder, pointLink } from '../../src/store/artifacts.js';
import { pruneRuns } from '../../src/store/prune.js';
import { artifactPath } from '../../src/gate/run-dirs.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readlinkSync, rmSync } from 'node:fs';
import type { PerfloopError } from '../../src/core/errors.js';

test('saves, lists and resolves runs by id, label, latest and baseline', async () => {
  const dir = tempDir();
  const store = RunStore.open(join(dir, 'nested', 'perfloop.db'));
  const base = record('baseline', 400, '2026-01-01T10:00:00.000Z', 3);
  const fix = record('batch order query', 100, '2026-01-01T10:05:00.000Z', 0);
  await store.save(base, '/out/00');
  await store.save(fix);
  const list = await store.list();
  assert.deepEqual(
    list.map((r) => [r.label, r.p95Ms, r.findings]),
    [
      ['batch order query', 100, 0],
      ['baseline', 400, 3],
    ],
  );
  assert.equal((await store.get('latest'))?.run.id, fix.run.id);
  assert.equal((await store.get('baseline'))?.run.id, base.run.id);
  assert.equal((await store.get('batch order query'))?.run.id, fix.run.id);
  assert.equal((await store.get(base.run.id))?.metrics.http_req_duration.p95, 400);
  assert.equal(await store.get('no such run'), undefined);
  const back = (await store.get(base.run.id))!;
  assert.equal(Histogram.decode(back.histograms.http_req_duration).count, 1);
  assert.deepEqual((await store.all()).map((r) => r.run.label), ['baseline', 'batch order query']);
  await store.close();
});

test('WAL mode and versioned migrations; reopening keeps data', async () => {
  const dir = tempDir();
  const path = join(dir, 'p.db');
  const s1 = RunStore.open(path);
  await s1.save(record('a', 10, '2026-01-01T00:00:00.000Z'));
  await s1.close();
  const s2 = RunStore.open(path);
  assert.equal((await s2.list()).length, 1);
  await s2.close();
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').all(), [{ version: 1 }, { version: 2 }]);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all();
  assert.deepEqual(
    tables.map((t) => (t as { name: string }).name),
    ['artifacts', 'findings', 'intervals', 'metrics', 'runs', 'schema_migrations'],
  );
  assert.equal((db.prepare('SELECT COUNT(*) c FROM findings').get() as { c: number }).c, 1);
  db.close();
});

test('an unusable store path is a clear error', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a-file'), 'not a folder');
  assert.throws(() => RunStore.open(join(dir, 'a-file', 'x.db')), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'STORE_OPEN');
    assert.match(e.message, /a-file\/x\.db/);
    return true;
  });
});

test('run folders: created once, artifacts recorded with size and SHA-256, latest points at the newest', async () => {
  const base = join(tempDir(), 'out');
  const store = RunStore.open(join(base, '..', 'p.db'));
  try {
    const r = record('a', 10, '2026-01-01T00:00:00.000Z');
    const dir = createRunFolder(base, r.run.id);
    assert.throws(() => createRunFolder(base, r.run.id), /already exists; refusing to overwrite/);
    writeFileSync(join(dir, 'report.md'), '# report\n');
    writeFileSync(join(dir, 'report.json'), JSON.stringify(r));
    r.artifacts = { report: 'report.md', 'report-json': 'report.json', profile: 'profile.cpuprofile' };
    await store.save(r, dir);
    pointLink(base, r.run.id);
    assert.equal(readlinkSync(join(base, 'latest')), r.run.id);
    const a = await store.artifacts(r.run.id);
    assert.deepEqual(Object.keys(a).sort(), ['report', 'report-json'], 'a file that does not exist is not recorded');
    assert.equal(a.report.bytes, 9);
    assert.equal(a.report.sha256, createHash('sha256').update('# report\n').digest('hex'));
    assert.equal(a.report.path, join(dir, 'report.md'));
    assert.equal(await artifactPath(dir, r, 'report', store), join(dir, 'report.md'));
    writeFileSync(join(dir, 'report.md'), '# changed report\n');
    await assert.rejects(() => artifactPath(dir, r, 'report', store), (e: PerfloopError) => e.code === 'ARTIFACT_CHANGED' && e.exitCode === 2);
    rmSync(join(dir, 'report.md'));
    await assert.rejects(
      () => artifactPath(dir, r, 'report', store),
      (e: PerfloopError) => e.code === 'ARTIFACT_MISSING' && e.exitCode === 2 && e.message.includes(r.run.id),
    );
  } finally {
    await store.close();
  }
});

test('prune: keeps the newest N or drops runs older than a duration, deleting only folders the run owns', async () => {
  const root = tempDir();
  const store = RunStore.open(join(root, 'p.db'));
  try {
    const runs = ['2026-01-01', '2026-01-10', '2026-01-20'].map((d, i) => record(`r${i}`, 10, `${d}T00:00:00.000Z`));
    const folders: string[] = [];
    for (const r of runs) {
      const dir = createRunFolder(join(root, 'out'), r.run.id);
      writeFileSync(join(dir, 'report.json'), JSON.stringify(r));
      await store.save(r, dir);
      folders.push(dir);
    }
    // A store row pointing at a folder that is not the run's own (a user's directory) is never deleted.
    const foreign = join(root, 'mine');
    mkdirSync(foreign);
    const other = record('foreign', 10, '2025-12-01T00:00:00.000Z');
    await store.save(other, foreign);
    const dry = await pruneRuns(store, { keep: 2, dryRun: true });
    assert.deepEqual(dry.map((r) => r.id), [runs[0].run.id, other.run.id]);
    assert.equal((await store.list()).length, 4, 'dry run removes nothing');
    const gone = await pruneRuns(store, { olderThanMs: 14 * 86_400_000, now: Date.parse('2026-01-25T00:00:00Z') });
    assert.deepEqual(gone.map((r) => r.id).sort(), [runs[0].run.id, runs[1].run.id, other.run.id].sort());
    assert.equal(existsSync(folders[0]), false);
    assert.equal(existsSync(folders[2]), true);
    assert.equal(existsSync(foreign), true);
    assert.deepEqual((await store.list()).map((r) => r.id), [runs[2].run.id]);
  } finally {
    await store.close();
  }
});

test('a record stored before scenarios (request names as a string) reads back with a scenario of its own', async () => {
  const store = RunStore.open(join(tempDir(), 'p.db'));
  try {
    const old = record('old', 10, '2026-01-01T00:00:00.000Z');
    (old.run as unknown as { scenario: string }).scenario = 'GET /a, GET /b';
    await store.save({ ...old, run: { ...old.run, scenario: { id: 'x', description: 'GET /a, GET /b' } } });
    // what a v1 store holds: the record's scenario as a string and no scenario_id column value
    const db = (store as unknown as { db: Database.Database }).db;
    db.prepare('UPDATE runs SET scenario_id = NULL, record = ? WHERE id = ?').run(JSON.stringify(old), old.run.id);
    const back = (await store.get(old.run.id))!;
    assert.equal(back.run.scenario.description, 'GET /a, GET /b');
    assert.match(back.run.scenario.id, /^[0-9a-f]{12}$/);
    assert.deepEqual((await store.list())[0].scenario, { id: back.run.scenario.id, description: 'GET /a, GET /b' });
  } finally {
    await store.close();
  }
});
