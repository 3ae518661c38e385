/** The duration's confidence interval: Student's t quantiles, and a real job's CI narrowing as runs are added. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { meanConfidenceInterval, studentTQuantile } from '../../src/gate/stats/index.js';
import { runJob } from '../../src/job/run-job.js';
import { fixture, tempDir } from '../helpers.js';

test("Student's t quantiles match the tables", () => {
  // t(0.975, df) from any statistics table.
  const table: [number, number][] = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [9, 2.262], [10, 2.228], [30, 2.042], [100, 1.984]];
  for (const [df, t] of table) {
    const got = studentTQuantile(0.975, df);
    assert.ok(Math.abs(got - t) / t < 0.003, `df ${df}: ${got} vs ${t}`);
  }
  assert.ok(Math.abs(studentTQuantile(0.995, 5) - 4.032) < 0.01);
  assert.equal(meanConfidenceInterval([1]).ci, null);
  const m = meanConfidenceInterval([1, 2, 3]);
  assert.equal(m.mean, 2);
  assert.ok(Math.abs(m.ci![1] - 2 - (4.303 * 1) / Math.sqrt(3)) < 0.01);
});

test("10 runs of a job: the CI narrows as runs are added", async () => {
  const dir = tempDir('perfloop-job-ci-');
  const r = await runJob({
    argv: ['sh', fixture('job', 'cycle-sleep.sh'), join(dir, 'counter')],
    runs: 10,
    profile: 'none',
    cwd: dir,
    outDir: null,
    storePath: null,
    stdio: 'ignore',
  });
  assert.equal(r.job.runs.length, 10);
  const w = r.ciWidths; // widths after 2, 3, …, 10 runs
  assert.equal(w.length, 9);
  const [after2, after3] = w;
  const after10 = w[8];
  assert.ok(after2 > after3 && after3 > after10, `widths ${w.map((x) => x.toFixed(3)).join(' ')}`);
  assert.ok(after10 < after3 / 2, `10 runs narrow the 3-run interval by more than half: ${w.join(' ')}`);
  const ci = r.job.duration_s.ci!;
  assert.ok(Math.abs(ci[1] - ci[0] - after10) < 1e-12);
  assert.equal(r.job.name, 'cycle-sleep');
});

test('--duration keeps running until the time is used up (at least 2 runs, for an interval)', async () => {
  const r = await runJob({ argv: ['sleep', '0.05'], durationMs: 400, profile: 'none', cwd: tempDir(), outDir: null, storePath: null, stdio: 'ignore' });
  assert.ok(r.job.runs.length >= 2, `${r.job.runs.length} runs`);
  assert.ok(r.job.duration_s.ci !== null);
  const one = await runJob({ argv: ['sleep', '0.3'], durationMs: 1, profile: 'none', cwd: tempDir(), outDir: null, storePath: null, stdio: 'ignore' });
  assert.equal(one.job.runs.length, 2, 'a duration shorter than a run still measures two');
});

test('peak RSS is the job tree’s: a child that holds 120 MB is seen through its wrapper shell', async () => {
  const hold = `${process.execPath} -e "const b = Buffer.alloc(120 * 2 ** 20, 1); setTimeout(() => b.length, 300)"`;
  const r = await runJob({ argv: ['sh', '-c', `${hold}; true`], runs: 1, profile: 'none', cwd: tempDir(), outDir: null, storePath: null, stdio: 'ignore' });
  assert.ok(r.job.peakRssMb >= 120, `peak ${r.job.peakRssMb} MB`);
  const small = await runJob({ argv: ['sleep', '0.1'], runs: 1, profile: 'none', cwd: tempDir(), outDir: null, storePath: null, stdio: 'ignore' });
  assert.ok(small.job.peakRssMb < 20, `sleep's peak ${small.job.peakRssMb} MB`);
});
