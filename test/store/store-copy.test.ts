import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRunFolder } from '../../src/store/artifacts.js';
import { openStore } from '../../src/store/open-store.js';
import { cliPath, tempDir } from '../helpers.js';
import { pgStoreUrl } from './pg-schema.js';
import { sampleRecord } from './sample-record.js';

const skip = pgStoreUrl() ? false : 'PERFLOOP_TEST_PG is not set (no PostgreSQL test cluster); skipping';

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd, encoding: 'utf8', env: { ...process.env, PERFLOOP_ARTIFACT_CACHE: join(cwd, 'cache') } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('perfloop store copy: SQLite → PostgreSQL → SQLite round-trips every run and artifact', { skip }, async () => {
  const pg = pgStoreUrl()!;
  const root = tempDir();
  try {
    const first = join(root, 'first.db');
    const runs = [
      sampleRecord('baseline', 400, '2026-01-01T10:00:00.000Z', 3),
      sampleRecord('batch order query', 120, '2026-01-01T10:05:00.000Z', 1),
      sampleRecord('cache', 90, '2026-01-01T10:10:00.000Z', 0),
    ];
    const folders: string[] = [];
    const store = await openStore(first);
    for (const [i, r] of runs.entries()) {
      const dir = createRunFolder(join(root, 'runs'), r.run.id);
      writeFileSync(join(dir, 'report.md'), `# report ${i}\n`);
      if (i !== 2) {
        writeFileSync(join(dir, 'profile.cpuprofile'), JSON.stringify({ nodes: [], i }));
        r.artifacts.profile = 'profile.cpuprofile';
      }
      await store.save(r, dir);
      folders.push(dir);
    }
    const before = await store.all();
    const beforeArtifacts = await Promise.all(runs.map((r) => store.artifacts(r.run.id)));
    await store.close();

    const up = cli(['store', 'copy', '--from', first, '--to', pg.url], root);
    assert.equal(up.code, 0, up.err);
    assert.match(up.out, /copied 3 run\(s\) and 5 artifact\(s\)/);
    assert.doesNotMatch(up.out, /password|:[^/@]+@/, 'no password printed');
    // The run folders are gone (a CI job's workspace): the way back must come from the database's bytes.
    for (const f of folders) rmSync(f, { recursive: true });
    const second = join(root, 'back', 'second.db');
    const down = cli(['store', 'copy', '--from', pg.url, '--to', second], root);
    assert.equal(down.code, 0, down.err);
    assert.match(down.out, /copied 3 run\(s\) and 5 artifact\(s\)/);

    const back = await openStore(second);
    try {
      assert.deepEqual(await back.all(), before, 'every run record, in order');
      assert.deepEqual(
        (await back.list()).map((r) => [r.id, r.label, r.p95Ms, r.findings]),
        before.map((r) => [r.run.id, r.run.label, r.metrics.http_req_duration.p95, r.findings.length]).reverse(),
      );
      for (const [i, r] of runs.entries()) {
        const got = await back.artifacts(r.run.id);
        assert.deepEqual(Object.keys(got), Object.keys(beforeArtifacts[i]));
        for (const [name, a] of Object.entries(got)) {
          assert.equal(a.sha256, beforeArtifacts[i][name].sha256, `${r.run.id} ${name}`);
          assert.equal(a.bytes, beforeArtifacts[i][name].bytes);
          assert.ok(a.path.startsWith(join(root, 'back', 'copied-runs', r.run.id)), a.path);
          assert.equal(sha(a.path), a.sha256, 'the file holds the same bytes');
        }
        assert.equal(await back.outDir(r.run.id), folders[i], 'the run remembers where it was written');
      }
    } finally {
      await back.close();
    }
    const again = cli(['store', 'copy', '--from', first, '--to', pg.url], root);
    assert.equal(again.code, 0, again.err);
    const pgStore = await openStore(pg.url);
    assert.equal((await pgStore.list()).length, 3, 'copying twice replaces, never duplicates');
    await pgStore.close();
  } finally {
    await pg.drop();
  }
});

test('perfloop store: usage errors exit 2 with one line', () => {
  const root = tempDir();
  const missing = cli(['store', 'copy', '--from', 'a.db'], root);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /give both --from and --to/);
  const same = cli(['store', 'copy', '--from', 'a.db', '--to', './a.db'], root);
  assert.equal(same.code, 2);
  assert.match(same.err, /the same store/);
  const bad = cli(['store', 'move'], root);
  assert.equal(bad.code, 2);
  assert.doesNotMatch(bad.err, /\n\s+at /, 'no stack trace');
});
