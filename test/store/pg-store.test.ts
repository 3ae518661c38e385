import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunFolder } from '../../src/store/artifacts.js';
import { openStore } from '../../src/store/open-store.js';
import type { RunStore } from '../../src/store/run-store.js';
import { tempDir } from '../helpers.js';
import { pgStoreUrl } from './pg-schema.js';
import { sampleRecord } from './sample-record.js';
import { scenarioFromRequestNames } from '../../src/load/scenario-fingerprint.js';

const skip = pgStoreUrl() ? false : 'PERFLOOP_TEST_PG is not set (no PostgreSQL test cluster); skipping';
const here = dirname(fileURLToPath(import.meta.url));

/** One behaviour suite, run against every implementation of the RunStore interface. */
const implementations: { name: string; open: () => Promise<{ store: RunStore; done: () => Promise<void> }> }[] = [
  {
    name: 'sqlite',
    open: async () => ({ store: await openStore(join(tempDir(), 'p.db')), done: async () => undefined }),
  },
  {
    name: 'postgres',
    open: async () => {
      const pg = pgStoreUrl()!;
      return { store: await openStore(pg.url), done: pg.drop };
    },
  },
];

for (const impl of implementations) {
  test(`${impl.name} store: save, list, references, artifacts, delete`, { skip: impl.name === 'postgres' && skip }, async () => {
    const { store, done } = await impl.open();
    try {
      assert.equal(store.kind, impl.name);
      const base = sampleRecord('baseline', 400, '2026-01-01T10:00:00.000Z', 3);
      const fix = sampleRecord('batch order query', 100, '2026-01-01T10:05:00.000Z', 0);
      const dir = createRunFolder(tempDir(), base.run.id);
      writeFileSync(join(dir, 'report.md'), '# report\n');
      await store.save(base, dir);
      await store.save(fix);
      const list = await store.list();
      assert.deepEqual(
        list.map((r) => [r.label, r.p95Ms, r.findings, r.outDir]),
        [
          ['batch order query', 100, 0, null],
          ['baseline', 400, 3, dir],
        ],
      );
      assert.deepEqual(list[0].scenario, { id: fix.run.scenario.id, description: fix.run.scenario.description });
      assert.equal((await store.list({ label: 'baseline' })).length, 1);
      assert.equal((await store.get('latest'))?.run.id, fix.run.id);
      assert.equal((await store.get('baseline'))?.run.id, base.run.id);
      assert.equal((await store.get('batch order query'))?.run.id, fix.run.id);
      assert.equal((await store.get(base.run.id.slice(0, 11)))?.run.id, fix.run.id, 'a shared prefix: the newest');
      assert.equal((await store.get('abc1234'))?.run.id, fix.run.id, 'git sha prefix');
      assert.equal(await store.get('no such run'), undefined);
      assert.equal(await store.get('20%'), undefined, 'LIKE wildcards match literally');
      assert.deepEqual(await store.get(base.run.id), base, 'the record round-trips exactly');
      assert.deepEqual((await store.all()).map((r) => r.run.label), ['baseline', 'batch order query']);
      const a = await store.artifacts(base.run.id);
      assert.deepEqual(Object.keys(a), ['report']);
      assert.equal(a.report.bytes, 9);
      assert.equal(a.report.sha256, createHash('sha256').update('# report\n').digest('hex'));
      assert.equal(await store.outDir(base.run.id), dir);
      assert.equal(await store.outDir(fix.run.id), undefined);
      await store.save({ ...fix, run: { ...fix.run, label: 'renamed' } });
      assert.equal((await store.list()).length, 2, 'saving a run again replaces it');
      assert.equal((await store.get(fix.run.id))?.run.label, 'renamed');
      await store.delete(base.run.id);
      assert.deepEqual((await store.list()).map((r) => r.id), [fix.run.id]);
      assert.deepEqual(await store.artifacts(base.run.id), {});
    } finally {
      await store.close();
      await done();
    }
  });
}

for (const impl of implementations) {
  test(`${impl.name} store: the dashboard's page, scenarios and records with filters`, { skip: impl.name === 'postgres' && skip }, async () => {
    const { store, done } = await impl.open();
    try {
      const other = scenarioFromRequestNames(['GET /other']);
      const runs = [
        sampleRecord('baseline', 400, '2026-01-01T10:00:00.000Z'),
        sampleRecord('fix one', 300, '2026-01-02T10:00:00.000Z'),
        { ...sampleRecord('fix two', 200, '2026-01-03T10:00:00.000Z'), },
        sampleRecord('elsewhere', 50, '2026-01-04T10:00:00.000Z'),
      ];
      runs[3].run = { ...runs[3].run, scenario: other, gitBranch: 'feature' };
      for (const r of runs) await store.save(r);
      const all = await store.page({ limit: 2 });
      assert.equal(all.total, 4);
      assert.deepEqual(all.runs.map((r) => [r.label, r.gitBranch]), [['elsewhere', 'feature'], ['fix two', 'main']]);
      assert.deepEqual((await store.page({ offset: 2, limit: 2, count: false })), { total: null, runs: (await store.page({ offset: 2, limit: 2 })).runs });
      assert.deepEqual((await store.page({ label: 'fix' })).runs.map((r) => r.label), ['fix two', 'fix one']);
      assert.deepEqual((await store.page({ branch: 'feature' })).runs.map((r) => r.label), ['elsewhere']);
      assert.deepEqual((await store.page({ from: '2026-01-02', to: '2026-01-03' })).runs.map((r) => r.label), ['fix two', 'fix one'], 'a bare "to" date covers that day');
      const scenarios = await store.scenarios();
      assert.deepEqual(scenarios.map((s) => [s.id, s.runs, s.lastStartedAt]), [
        [other.id, 1, '2026-01-04T10:00:00.000Z'],
        [runs[0].run.scenario.id, 3, '2026-01-03T10:00:00.000Z'],
      ]);
      assert.deepEqual((await store.scenarios({ label: 'fix' })).map((s) => [s.id, s.runs]), [[runs[0].run.scenario.id, 2]]);
      const trend = await store.records({ scenarioId: runs[0].run.scenario.id, limit: 2 });
      assert.deepEqual(trend.map((r) => r.run.label), ['fix one', 'fix two'], 'the newest two, oldest first');
      assert.deepEqual(trend[1], runs[2]);
    } finally {
      await store.close();
      await done();
    }
  });
}

test('postgres store: an artifact whose file is gone is read back from the database', { skip }, async () => {
  const pg = pgStoreUrl()!;
  const cache = tempDir();
  process.env.PERFLOOP_ARTIFACT_CACHE = cache;
  const store = await openStore(pg.url);
  try {
    const r = sampleRecord('baseline', 50, '2026-02-01T00:00:00.000Z');
    const dir = createRunFolder(tempDir(), r.run.id);
    writeFileSync(join(dir, 'report.md'), '# only in the database now\n');
    await store.save(r, dir);
    writeFileSync(join(dir, 'report.md'), ''); // the CI job's folder is gone / changed
    const entry = (await store.artifacts(r.run.id)).report;
    const local = await store.localArtifact(entry);
    assert.ok(local.path.startsWith(cache), local.path);
    assert.equal(readFileSync(local.path, 'utf8'), '# only in the database now\n');
  } finally {
    delete process.env.PERFLOOP_ARTIFACT_CACHE;
    await store.close();
    await pg.drop();
  }
});

test('postgres store: 8 writer processes × 50 runs each → 400 runs, none lost or duplicated', { skip }, async () => {
  const pg = pgStoreUrl()!;
  try {
    const writers = Array.from({ length: 8 }, (_, w) => writer(pg.url, w, 50));
    const written = (await Promise.all(writers)).flat();
    assert.equal(written.length, 400);
    assert.equal(new Set(written).size, 400, 'every writer got distinct run ids');
    const store = await openStore(pg.url);
    try {
      const listed = await store.list({ limit: 10_000 });
      assert.equal(listed.length, 400);
      assert.deepEqual(new Set(listed.map((r) => r.id)), new Set(written));
      const perWriter = new Map<string, number>();
      for (const r of listed) perWriter.set(r.label, (perWriter.get(r.label) ?? 0) + 1);
      assert.deepEqual([...perWriter.values()], Array(8).fill(50));
      assert.equal((await store.all()).length, 400);
    } finally {
      await store.close();
    }
  } finally {
    await pg.drop();
  }
});

function writer(url: string, n: number, runs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'store-writer.js'), url, String(n), String(runs)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`writer ${n} exited ${code}: ${err}`)),
    );
  });
}
