import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, repoRoot, tempDir } from '../helpers.js';
import { freePort } from '../../src/target/free-port.js';

/**
 * The loop on a service nobody here wrote: json-server 0.17.4 from the npm registry, with 2,000 posts. A
 * baseline (json-server's own `--delay 100`), an A/A repeat of it, and a changed run (the delay removed: the
 * service changed, the endpoints did not). The runs go through the CLI exactly as a user types them.
 */
const jsonServer = join(repoRoot, 'node_modules', 'json-server', 'lib', 'cli', 'bin.js');
let dir: string;
let port: number;


/** The CLI, asynchronously (a run takes seconds; other tests keep going), with a generous last-resort limit. */
function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: dir, env: { ...process.env, GITHUB_STEP_SUMMARY: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, out, err });
    });
  });
}

const run = (label: string, delay: boolean) =>
  cli([
    'run',
    '--target',
    `node ${JSON.stringify(jsonServer)} --port ${port} --quiet${delay ? ' --delay 100' : ''} db.json`,
    '--url',
    `http://127.0.0.1:${port}/posts/{{rand:2000}}`,
    '--url',
    `http://127.0.0.1:${port}/posts?_limit=20`,
    '-c',
    '4',
    '-d',
    '6s',
    '--warmup',
    '1s',
    '--ready-timeout',
    '120s',
    '--label',
    label,
    '--json',
  ]);

const skip = existsSync(jsonServer) ? false : 'json-server is not installed (npm install)';

let runs: { id: string; label: string; artifacts: Record<string, { path: string; bytes: number; sha256: string }>; scenario: { id: string } }[];

before(async () => {
  if (skip) return;
  dir = tempDir('perfloop-json-server-');
  port = await freePort();
  const posts = Array.from({ length: 2000 }, (_, i) => ({ id: i, title: `post ${i}`, body: 'x'.repeat(200), userId: i % 50 }));
  writeFileSync(join(dir, 'db.json'), JSON.stringify({ posts }));
  for (const [label, delay] of [['baseline', true], ['baseline', true], ['remove the delay', false]] as const) {
    const r = await run(label, delay);
    assert.equal(r.code, 0, `perfloop run ${label}: ${r.err}`);
  }
  const listed = await cli(['runs', '--json']);
  assert.equal(listed.code, 0, listed.err);
  const doc = JSON.parse(listed.out);
  assert.equal(doc.schema, 'perfloop/runs@1');
  runs = doc.runs.reverse(); // oldest first
});

test('json-server: every run has its own folder and artifacts, recorded with size and hash', { skip }, () => {
  assert.equal(runs.length, 3);
  const folders = new Set(runs.map((r) => r.artifacts.report.path.replace(/\/report\.md$/, '')));
  assert.equal(folders.size, 3, 'three distinct run folders');
  for (const r of runs) {
    for (const name of ['report', 'report-json', 'profile']) {
      const a = r.artifacts[name];
      assert.ok(a, `${r.id} has ${name}`);
      assert.ok(a.bytes > 0 && /^[0-9a-f]{64}$/.test(a.sha256), `${name} recorded with size and hash`);
    }
  }
  const paths = runs.flatMap((r) => Object.values(r.artifacts).map((a) => a.path));
  assert.equal(new Set(paths).size, paths.length, 'no two runs share an artifact path');
  assert.equal(realpathSync(join(dir, 'perfloop-report', 'latest')), realpathSync(join(dir, 'perfloop-report', runs[2].id)));
  assert.equal(new Set(runs.map((r) => r.scenario.id)).size, 1, 'same endpoints and load: one scenario');
});

test('json-server: the A/A repeat is same or unknown on every metric', { skip }, async () => {
  const r = await cli(['compare', runs[0].id, runs[1].id, '--json']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(doc.scenario, { same: true, differences: [] });
  for (const m of doc.metrics)
    assert.ok(m.verdict === 'same' || m.verdict === 'unknown', `${m.name}: ${m.verdict} (${m.note})`);
});

test('json-server: the log shows the change under one scenario, with the target change', { skip }, async () => {
  const r = await cli(['log', '--json']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.schema, 'perfloop/log@1');
  assert.equal(doc.scenarios.length, 1);
  const its = doc.scenarios[0].iterations;
  assert.equal(its.length, 2, 'the A/A repeat is pooled with the baseline');
  assert.deepEqual(its[0].runIds, [runs[0].id, runs[1].id]);
  const change = its[1];
  assert.equal(change.runId, runs[2].id);
  assert.match(change.change, /remove the delay \(target: .*--delay 100 db\.json → .*--quiet db\.json\)/);
  for (const k of ['bottleneck', 'before', 'after', 'improvementPct', 'verdict']) assert.ok(k in change, k);
  assert.ok(change.before > change.after, `p95 ${change.before} → ${change.after}`);
});

test('json-server: the gate diffs the two different profiles', { skip }, async () => {
  const r = await cli(['gate', '--baseline', runs[0].id, '--candidate', runs[2].id, '--json']);
  assert.ok(r.code === 0 || r.code === 99, r.err);
  const doc = JSON.parse(r.out);
  assert.ok(doc.flameDiff, 'both runs have profiles');
  assert.equal(doc.flameDiff.baseline, runs[0].artifacts.profile.path);
  assert.equal(doc.flameDiff.candidate, runs[2].artifacts.profile.path);
  assert.notEqual(doc.flameDiff.baseline, doc.flameDiff.candidate);
  assert.ok(existsSync(doc.flameDiff.html));
});

test('json-server: show re-renders a stored run; a deleted artifact is a clear exit 2', { skip }, async () => {
  const shown = await cli(['show', runs[1].id]);
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, new RegExp(`Run \`${runs[1].id}\``));
  const html = await cli(['show', runs[1].id, '--html']);
  assert.match(html.out, /^<!doctype html>/i);
  const report = JSON.parse(readFileSync(runs[0].artifacts['report-json'].path, 'utf8'));
  assert.equal(report.run.id, runs[0].id);
  // Deleting the baseline's profile: the gate that needs it names it instead of diffing something else.
  const { rmSync } = await import('node:fs');
  rmSync(runs[0].artifacts.profile.path);
  const gate = await cli(['gate', '--baseline', runs[0].id, '--candidate', runs[2].id]);
  assert.equal(gate.code, 2);
  assert.match(gate.err, /ARTIFACT_MISSING: run .* its profile .* was deleted/);
});
