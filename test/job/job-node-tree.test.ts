/** Node jobs are profiled whatever starts them: npm run, a #!/usr/bin/env node script, a shell running two node processes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultJobName } from '../../src/job/job-profiler.js';
import { runJob, type JobResult } from '../../src/job/run-job.js';
import { fixture, tempDir } from '../helpers.js';

const job = fixture('job', 'batch-job.mjs');
// Enough work for the CPU rules' evidence floor at the 1 ms sampler (see job-cli.test.ts).
const HOT = ['--hot', '1500000', '--sleep', '0'];

async function profiled(argv: string[], dir: string): Promise<JobResult> {
  const r = await runJob({ argv, runs: 2, profile: 'auto', cwd: dir, outDir: join(dir, 'out'), storePath: null, stdio: 'ignore' });
  for (const run of r.job.runs) assert.equal(run.exitCode, 0);
  return r;
}

function assertHotFunction(r: JobResult) {
  assert.equal(r.profiler, 'node', r.record.warnings.join('; '));
  assert.equal(r.profileOf, 'representative');
  assert.equal(r.record.artifacts.profile, 'profile.cpuprofile');
  const own = (r.analysis?.top ?? []).filter((t) => t.file?.endsWith('batch-job.mjs'));
  assert.equal(own[0]?.name, 'checksumRows', JSON.stringify(r.analysis?.top.slice(0, 5)));
}

test('perfloop job profiles the node process behind npm run, and names the job after the script', async () => {
  const dir = tempDir('perfloop-job-npm-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'jobs', private: true, scripts: { nightly: `node ${JSON.stringify(job)} ${HOT.join(' ')}` } }));
  const r = await profiled(['npm', 'run', '--silent', 'nightly'], dir);
  assertHotFunction(r);
  assert.equal(r.job.name, 'nightly');
  // npm itself is a node process: its profile is written too, and the busier job's is the one shown.
  assert.match(r.record.measurement.profiler ?? '', /busiest of its [2-9]\d* node processes that is not a launcher.*\(a launcher/);
});

test('perfloop job profiles a TypeScript job run by npx tsx (its node child, not npx’s or tsx’s CLI)', async () => {
  const dir = tempDir('perfloop-job-tsx-');
  const script = join(dir, 'rebuild-index.ts');
  writeFileSync(
    script,
    'function scoreDocuments(docs: number): number {\n  let h = 2166136261;\n  for (let d = 0; d < docs; d++) for (let c = 0; c < 100; c++) h = Math.imul(h ^ (d * 31 + c), 16777619) >>> 0;\n  return h;\n}\nconsole.log(scoreDocuments(1_500_000));\n',
  );
  // The repository's own tsx (a devDependency): npx finds it from the repository root without the network.
  const r = await runJob({ argv: ['npx', '--no-install', 'tsx', script], runs: 2, cwd: process.cwd(), outDir: join(dir, 'out'), storePath: null, stdio: 'ignore' });
  for (const run of r.job.runs) assert.equal(run.exitCode, 0);
  assert.equal(r.profiler, 'node', r.record.warnings.join('; '));
  const own = (r.analysis?.top ?? []).filter((t) => t.file?.endsWith('rebuild-index.ts'));
  assert.equal(own[0]?.name, 'scoreDocuments', JSON.stringify(r.analysis?.top.slice(0, 5)));
  assert.equal(r.job.name, 'rebuild-index');
});

test('perfloop job profiles a #!/usr/bin/env node script run by its path', async () => {
  const dir = tempDir('perfloop-job-shebang-');
  const script = join(dir, 'nightly-report');
  writeFileSync(script, `#!/usr/bin/env node\nprocess.argv.push(${HOT.map((a) => JSON.stringify(a)).join(', ')});\nawait import(${JSON.stringify(job)});\n`);
  chmodSync(script, 0o755);
  // The script has no .mjs extension: top-level await needs the module type, so give it as a flag in the shebang's stead.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const r = await profiled([script], dir);
  assertHotFunction(r);
  assert.equal(r.job.name, 'nightly-report');
});

test('perfloop job: of sh -c running a light and a hot node process, the hot one’s profile is the job’s', async () => {
  const dir = tempDir('perfloop-job-sh-');
  const r = await profiled(['sh', '-c', `node ${JSON.stringify(job)} --hot 1000 --sleep 0 && node ${JSON.stringify(job)} ${HOT.join(' ')}`], dir);
  assertHotFunction(r);
  assert.match(r.record.measurement.profiler ?? '', /busiest of its 2 node processes/);
});

test('a non-node command in auto mode: no node profile, so perf (when installed) or a warning, never a failure', async () => {
  const dir = tempDir('perfloop-job-sh-');
  const r = await runJob({ argv: ['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done'], runs: 2, cwd: dir, outDir: null, storePath: null, stdio: 'ignore' });
  assert.notEqual(r.profiler, 'node');
  if (r.profiler === 'none') assert.ok(r.record.warnings.some((w) => w.startsWith('not profiled')), r.record.warnings.join('; '));
});

test('the default job name sees through launchers and package scripts', () => {
  assert.equal(defaultJobName(['node', '/x/nightly-report.js', '--day', '3']), 'nightly-report');
  assert.equal(defaultJobName(['npm', 'run', 'nightly']), 'nightly');
  assert.equal(defaultJobName(['npx', 'tsx', 'jobs/rebuild-index.ts']), 'rebuild-index');
  assert.equal(defaultJobName(['pnpm', 'nightly']), 'nightly');
  assert.equal(defaultJobName(['./bin/export.sh']), 'export');
});
