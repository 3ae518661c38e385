/** A non-Node job (a small C program) gets its profile through perf. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { toolInstalled } from '../../src/profile/capture/external.js';
import { runJob } from '../../src/job/run-job.js';
import { fixture, tempDir } from '../helpers.js';

const perfWorks =
  toolInstalled('perf') &&
  spawnSync('perf', ['record', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' }).status === 0;
const why = !toolInstalled('gcc') ? 'gcc is not installed' : !perfWorks ? 'perf is not installed or may not record here' : false;

test('a C job: perf names its hot function; the planted sleep is off-CPU time', { skip: why }, async () => {
  const dir = tempDir('perfloop-job-perf-');
  const exe = join(dir, 'hot-loop');
  const cc = spawnSync('gcc', ['-O1', '-fno-omit-frame-pointer', '-fno-inline', '-o', exe, fixture('job', 'hot-loop.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const r = await runJob({ argv: [exe, '150000000', '150'], runs: 2, cwd: dir, outDir: join(dir, 'out'), storePath: null, stdio: 'ignore' });
  assert.equal(r.profiler, 'perf');
  assert.equal(r.profileOf, 'extra-run');
  assert.equal(r.analysis?.top[0]?.name, 'crunch_numbers', JSON.stringify(r.analysis?.top.slice(0, 3)));
  for (const run of r.job.runs) {
    assert.equal(run.exitCode, 0);
    assert.ok(run.offCpuS! >= 0.13, `off-CPU ${run.offCpuS} s holds the 150 ms sleep`);
    assert.ok(run.cpuS! > 0);
  }
  assert.equal(r.record.artifacts.profile, 'profile.perf.txt');
  assert.equal(r.job.name, 'hot-loop');
});
