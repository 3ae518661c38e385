/** `perfloop job`: a Node batch job with a planted hot function and a planted sleep, its budget, its store record. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/open-store.js';
import { cliPath, fixture, tempDir } from '../helpers.js';

const job = fixture('job', 'batch-job.mjs');

async function perfloop(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [cliPath, ...args], { cwd, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

test('perfloop job names the hot function, shows the sleep as off-CPU time, passes a 30 s budget and stores the run', async () => {
  const dir = tempDir('perfloop-job-');
  writeFileSync(join(dir, 'budget.json'), JSON.stringify({ jobs: { 'batch-job': { duration_s: { max: 30 }, peak_rss_mb: { max: 4096 } } } }));
  // Enough work for the CPU rules' evidence floor (100 active samples at --cpu-prof's 1 ms) on a quiet machine too:
  // 60,000 rows (~15 ms of CPU) passed only where a loaded host stretched the run over more samples.
  const r = await perfloop(dir, 'job', '--runs', '3', '--budget', 'budget.json', '--json', '--', 'node', job, '--hot', '1500000', '--sleep', '200');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.schema, 'perfloop/job@1');
  assert.equal(doc.name, 'batch-job');
  assert.equal(doc.runs, 3);
  assert.deepEqual(doc.exitCodes, [0, 0, 0]);
  assert.match(r.stderr, /checksum \d+/, "the job's own output goes to stderr under --json");
  // The hot function is the top function of the code the job runs, and a finding names it.
  const own = doc.top.filter((t: { file: string | null }) => t.file?.endsWith('batch-job.mjs'));
  assert.equal(own[0]?.name, 'checksumRows', JSON.stringify(doc.top));
  assert.ok(doc.findings.some((f: { title: string }) => f.title.includes('checksumRows')), JSON.stringify(doc.findings.map((f: { title: string }) => f.title)));
  // Wall vs CPU: the planted 200 ms sleep is time off the CPU in every run.
  for (const run of doc.perRun) {
    assert.ok(run.cpuS > 0, `CPU time measured: ${run.cpuS}`);
    assert.ok(run.offCpuS >= 0.18, `off-CPU ${run.offCpuS} s holds the 200 ms sleep`);
    assert.ok(Math.abs(run.wallS - run.cpuS - run.offCpuS) < 1e-9);
    assert.ok(run.peakRssMb > 10, `peak RSS of a node process: ${run.peakRssMb} MB`);
  }
  assert.ok(doc.duration_s.p50 <= doc.duration_s.p95);
  assert.ok(doc.duration_s.ci[0] <= doc.duration_s.mean && doc.duration_s.mean <= doc.duration_s.ci[1]);
  assert.equal(doc.representativeRun.profileOf, 'representative');
  assert.ok(existsSync(join(doc.runDir, 'flame.html')) && existsSync(join(doc.runDir, 'profile.cpuprofile')));
  assert.deepEqual(
    doc.budget.map((b: { metric: string; pass: boolean }) => [b.metric, b.pass]),
    [['duration_s', true], ['peak_rss_mb', true]],
  );
  const store = await openStore(join(dir, '.perfloop', 'perfloop.db'));
  try {
    const rec = await store.get(doc.runId);
    assert.equal(rec?.kind, 'job');
    assert.equal(rec?.job?.runs.length, 3);
    assert.equal(rec?.run.scenario.name, 'batch-job');
    assert.equal(rec?.metrics.http_reqs.count, 3);
  } finally {
    await store.close();
  }
});

test('perfloop job: a budget the job cannot meet exits 99 and says which limit was crossed', async () => {
  const dir = tempDir('perfloop-job-');
  // job_duration_s (the name) is the same limit as duration_s; the 150 ms sleep alone is over 0.05 s.
  writeFileSync(join(dir, 'budget.json'), JSON.stringify({ jobs: { nightly: { job_duration_s: { max: 0.05 } } } }));
  const r = await perfloop(dir, 'job', '--name', 'nightly', '--runs', '2', '--profile', 'none', '--no-store', '--budget', 'budget.json', '--', 'node', job, '--hot', '1000', '--sleep', '150');
  assert.equal(r.code, 99, r.stderr);
  assert.match(r.stdout, /✗ job_duration_s p95 of 2 runs: \d+\.\d+ ≤ 0\.05 {2}— crossed/);
});

test('perfloop job: a failing job exits 1 with its exit codes; bad usage and a bad budget exit 2 with one line', async () => {
  const dir = tempDir('perfloop-job-');
  const failed = await perfloop(dir, 'job', '--runs', '2', '--profile', 'none', '--no-store', '--json', '--', 'sh', '-c', 'exit 3');
  assert.equal(failed.code, 1, failed.stderr);
  assert.deepEqual(JSON.parse(failed.stdout).exitCodes, [3, 3]);

  const none = await perfloop(dir, 'job', '--runs', '2');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^perfloop: USAGE: nothing to run/);

  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ jobs: { nightly: { duration_s: { max: -1 }, wall_ms: { max: 3 } }, other: { cpu_s: 5 } } }));
  const bad = await perfloop(dir, 'job', '--budget', 'bad.json', '--', 'true');
  assert.equal(bad.code, 2);
  const line = bad.stderr.trim();
  assert.equal(line.split('\n').length, 1, line);
  assert.match(line, /jobs\.nightly\.duration_s\.max: /);
  assert.match(line, /jobs\.nightly: Unrecognized key.*wall_ms/);
  assert.match(line, /jobs\.other\.cpu_s: /);
});

test('perfloop job measures I/O bytes and CPU of the whole process tree, children included', async () => {
  const dir = tempDir('perfloop-job-');
  const script = `head -c 3000000 /dev/zero > ${join(dir, 'out.bin')}; ${process.execPath} -e "let s=0; for (let i = 0; i < 3e7; i++) s += i"`;
  const r = await perfloop(dir, 'job', '--runs', '1', '--profile', 'none', '--no-store', '--json', '--', 'sh', '-c', script);
  assert.equal(r.code, 0, r.stderr);
  const run = JSON.parse(r.stdout).perRun[0];
  assert.ok(run.io.writeBytes >= 3_000_000 && run.io.readBytes >= 3_000_000, JSON.stringify(run.io));
  assert.ok(run.cpuS >= 0.01, `the grandchild's CPU counts: ${run.cpuS}`);
});
