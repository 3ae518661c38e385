import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PerfloopError } from '../../src/core/errors.js';
import { chooseBaseline } from '../../src/gate/baseline.js';
import { commitUrl, repositoryUrl } from '../../src/gate/git-refs.js';
import { repeatsOf, resolveRuns } from '../../src/gate/run-refs.js';
import { RunStore } from '../../src/store/run-store.js';
import { tempDir } from '../helpers.js';
import { recordFromLatencies, steadyLatencies } from './records.js';

function repo() {
  const dir = tempDir('perfloop-git-');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  git('init', '-q', '-b', 'main');
  git('commit', '-q', '--allow-empty', '-m', 'c1');
  const c1 = git('rev-parse', 'HEAD');
  git('commit', '-q', '--allow-empty', '-m', 'c2');
  const c2 = git('rev-parse', 'HEAD');
  git('checkout', '-q', '-b', 'feature');
  git('commit', '-q', '--allow-empty', '-m', 'c3');
  const c3 = git('rev-parse', 'HEAD');
  return { dir, git, c1, c2, c3 };
}

const run = (label: string, sha: string, minute: number, branch = 'main') =>
  recordFromLatencies(steadyLatencies(3, 20, 20, minute), {
    label,
    gitSha: sha,
    gitBranch: branch,
    startedAt: `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`,
  });

test('baseline: the merge-base’s stored run, its nearest stored ancestor, or the parent on the base branch', async () => {
  const { dir, c1, c2, c3 } = repo();
  const store = RunStore.open(join(dir, '.perfloop', 'perfloop.db'));
  try {
    const r1 = run('main c1', c1, 1);
    const r2 = run('main c2', c2, 2);
    const r2b = run('main c2', c2, 3); // a repeat
    const cand = run('feature work', c3, 4, 'feature');
    for (const r of [r1, r2, r2b, cand]) await store.save(r);

    const byMergeBase = await chooseBaseline({ store, cwd: dir, candidate: [cand] });
    assert.deepEqual(
      byMergeBase.selection!.runs.map((r) => r.run.id),
      [r2.run.id, r2b.run.id],
      'the merge-base run with its repeat',
    );
    assert.match(byMergeBase.selection!.source, /merge-base with main/);

    // On main itself the merge-base is the candidate's commit: the baseline is the run before it.
    const onMain = await chooseBaseline({ store, cwd: dir, candidate: [r2b] });
    assert.deepEqual(
      onMain.selection!.runs.map((r) => r.run.id),
      [r1.run.id],
    );

    // Named: a branch (its newest stored run), a git ref, a label, a run id.
    assert.equal(
      (await chooseBaseline({ ref: 'main', store, cwd: dir, candidate: [cand] })).selection!.runs.at(-1)!.run.id,
      r2b.run.id,
    );
    assert.equal(
      (await chooseBaseline({ ref: 'HEAD~2', store, cwd: dir, candidate: [cand] })).selection!.runs[0].run.id,
      r1.run.id,
    );
    assert.equal(
      (await chooseBaseline({ ref: 'main c1', store, cwd: dir, candidate: [cand] })).selection!.runs[0].run.id,
      r1.run.id,
    );
    assert.deepEqual(
      (await chooseBaseline({ ref: r2.run.id, store, cwd: dir, candidate: [cand] })).selection!.runs.map(
        (r) => r.run.id,
      ),
      [r2.run.id],
      'an explicit id is just that run',
    );
    await assert.rejects(
      () => chooseBaseline({ ref: 'no-such-thing', store, cwd: dir, candidate: [cand] }),
      (e: PerfloopError) => e.code === 'RUN_NOT_FOUND' && e.exitCode === 2,
    );
  } finally {
    await store.close();
  }
});

test('baseline: nearest stored ancestor when the merge-base has no run; none at all is reported, not invented', async () => {
  const { dir, c1, c3 } = repo();
  const store = RunStore.open(join(dir, 's.db'));
  try {
    const cand = run('feature', c3, 5, 'feature');
    await store.save(cand);
    const none = await chooseBaseline({ store, cwd: dir, candidate: [cand] });
    assert.equal(none.selection, null);
    assert.match(none.how, /no stored run at the merge-base/);
    const r1 = run('old', c1, 1);
    await store.save(r1);
    const hit = await chooseBaseline({ store, cwd: dir, candidate: [cand] });
    assert.equal(hit.selection!.runs[0].run.id, r1.run.id);
    assert.match(hit.selection!.source, /nearest stored ancestor/);
  } finally {
    await store.close();
  }
});

test('refs: latest skips the excluded candidate; repeats share commit, label, target and scenario', async () => {
  const dir = tempDir();
  const store = RunStore.open(join(dir, 's.db'));
  try {
    const a = run('baseline', 'a'.repeat(40), 1);
    const b = run('fix', 'a'.repeat(40), 2);
    const b2 = run('fix', 'a'.repeat(40), 3);
    const c = run('fix', 'b'.repeat(40), 4);
    for (const r of [a, b, b2, c]) await store.save(r);
    assert.equal((await resolveRuns('latest', { store, cwd: dir })).runs[0].run.id, c.run.id);
    assert.equal(
      (await resolveRuns('latest', { store, cwd: dir, exclude: new Set([c.run.id]) })).runs.at(-1)!.run.id,
      b2.run.id,
    );
    assert.deepEqual(
      repeatsOf(await store.all(), b).map((r) => r.run.id),
      [b.run.id, b2.run.id],
    );
    assert.deepEqual(
      (await resolveRuns('fix', { store, cwd: dir, repeats: false })).runs.map((r) => r.run.id),
      [c.run.id],
    );
  } finally {
    await store.close();
  }
});

test('commit links for GitHub and GitLab remotes', async () => {
  const { dir, git } = repo();
  assert.equal(repositoryUrl(dir), null);
  git('remote', 'add', 'origin', 'git@github.com:acme/shop.git');
  assert.equal(repositoryUrl(dir), 'https://github.com/acme/shop');
  assert.equal(commitUrl('https://github.com/acme/shop', 'abc'), 'https://github.com/acme/shop/commit/abc');
  git('remote', 'set-url', 'origin', 'https://gitlab.com/acme/shop.git');
  assert.equal(commitUrl(repositoryUrl(dir)!, 'abc'), 'https://gitlab.com/acme/shop/-/commit/abc');
});

test('baseline: iterations not committed yet — the earlier run at the same commit, never the candidate’s own repeat', async () => {
  const { dir, c2 } = repo();
  const store = RunStore.open(join(dir, '.perfloop', 'perfloop.db'));
  try {
    const base = run('baseline', c2, 1);
    const again = run('baseline', c2, 2);
    const fix = run('batch query', c2, 3);
    const fix2 = run('batch query', c2, 4); // the fix measured twice
    for (const r of [base, again, fix, fix2]) await store.save(r);
    const choice = await chooseBaseline({ store, cwd: dir, candidate: [fix, fix2] });
    assert.ok(choice.selection, choice.how);
    assert.deepEqual(
      choice.selection.runs.map((r) => r.run.id),
      [base.run.id, again.run.id],
      'the baseline and its repeat at the merge-base commit',
    );
    assert.match(choice.selection.source, /merge-base with main/);
  } finally {
    await store.close();
  }
});
