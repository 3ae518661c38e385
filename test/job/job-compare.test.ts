/** Job runs in compare, gate, the budget check and the dashboard page, from real runs of real commands. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseBudget } from '../../src/gate/budget.js';
import { compareRuns } from '../../src/gate/compare/compare-runs.js';
import { evaluateGate } from '../../src/gate/gate.js';
import { runJob } from '../../src/job/run-job.js';
import { jobPage } from '../../src/report/html/job-page.js';
import { serverLinks } from '../../src/report/html/links.js';
import { cliPath, tempDir } from '../helpers.js';

const job = (name: string, seconds: string, runs = 6) =>
  runJob({ argv: ['sleep', seconds], name, runs, profile: 'none', cwd: tempDir('perfloop-job-cmp-'), outDir: null, storePath: null, stdio: 'ignore' });

test('compare and gate: a job made 3× faster is improved; the slow one against it regresses and fails the gate', async () => {
  const slow = (await job('nightly', '0.3')).record;
  const fast = (await job('nightly', '0.1')).record;
  const rows = compareRuns(slow, fast);
  const p50 = rows.find((r) => r.name === 'p50_latency_ms')!;
  assert.equal(p50.label, 'p50 job duration');
  assert.equal(p50.sampleUnit, 'run');
  assert.deepEqual(p50.samples, [6, 6]);
  assert.equal(p50.verdict, 'improved', p50.note);
  assert.ok(p50.before! > p50.after!);
  assert.equal(rows.find((r) => r.name === 'error_rate')?.verdict, 'same');

  const budget = parseBudget({ jobs: { nightly: { duration_s: { max: 30 } } } }, 'budget.json');
  const gate = evaluateGate({ runs: [slow], source: 'slow' }, { runs: [fast], source: 'fast' }, budget);
  assert.equal(gate.pass, false);
  assert.ok(gate.failures.some((f) => f.startsWith('regression p50 job duration')), gate.failures.join('; '));
  assert.deepEqual(gate.budgets.map((b) => [b.scope, b.operation, b.metric, b.pass]), [['job', 'nightly', 'duration_s', true]]);
  assert.deepEqual(gate.alerts, [], 'no service alert levels on a job');

  const tight = parseBudget({ jobs: { nightly: { duration_s: { max: 0.2 } } } }, 'budget.json');
  const alone = evaluateGate({ runs: [slow], source: 'slow' }, null, tight);
  assert.equal(alone.pass, false);
  assert.match(alone.failures.join('; '), /budget nightly duration_s 0\.\d+ > 0\.2/);
});

test("the job page draws every run and escapes what the job's name and command carry", async () => {
  const r = await job('<img src=x onerror=alert(1)>', '0.05', 3);
  const page = jobPage(r.record, serverLinks());
  assert.ok(!page.body.includes('<img src=x'), 'the name is escaped');
  assert.match(page.body, /job &#60;img src=x onerror=alert\(1\)&#62;/);
  assert.equal((page.body.match(/<title>run \d+: wall/g) ?? []).length, 3, 'one bar per run');
  assert.match(page.body, /Student's t over the runs/);
});

test('stored job runs make the iteration log and the Phase 15 summary, with the job budget as the target', async () => {
  const dir = tempDir('perfloop-job-log-');
  const store = join(dir, 'runs.db');
  const stored = (seconds: string, label: string) =>
    runJob({ argv: ['sleep', seconds], name: 'nightly', runs: 6, label, profile: 'none', cwd: dir, outDir: join(dir, 'out'), storePath: store, stdio: 'ignore' });
  await stored('0.3', 'baseline');
  await stored('0.1', 'cache the lookup');
  const cli = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args, '--store', store], { cwd: dir, encoding: 'utf8' });
  const log = cli('log');
  assert.equal(log.status, 0, log.stderr);
  assert.match(log.stdout, /\| 1 \| .* \| cache the lookup \(target: sleep 0\.3 → sleep 0\.1\) \| \d+ms \| \d+ms \| \d+% \|/);
  const summary = cli('summary');
  assert.equal(summary.status, 0, summary.stderr);
  assert.match(summary.stdout, /\| p50 job duration \| \d+ms \| \d+ms \| \d+% \| .* \| ✅ improved/);
  assert.match(summary.stdout, /\| p95 job duration \| \d+ms \| \d+ms \| 30000ms \| ✅ \|/);
  const show = cli('show', 'latest');
  assert.match(show.stdout, /### Job Assessment: nightly · cache the lookup/);
});
