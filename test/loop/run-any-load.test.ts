import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/core/run.js';
import { freePort } from '../../src/target/free-port.js';
import { cliPath, repoRoot, tempDir } from '../helpers.js';
import { writeFixtureService } from './fixture-service.js';

function perfloop(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A k6 script in the method's Step 7 style: stages, thresholds, check and sleep — the URL written out in it. */
const stagesScript = (base: string) => `import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = {
  stages: [
    { duration: '2s', target: 3 },
    { duration: '3s', target: 3 },
    { duration: '1s', target: 0 },
  ],
  thresholds: { http_req_duration: ['p(95)<60000'], http_req_failed: ['rate<0.5'] },
};

export default function () {
  const res = http.get('${base}/api/customers/top?limit=40');
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(0.1);
}
`;

test('perfloop run --target CMD SCRIPT.js: a k6 script of stages on the demo service gives the report with a CPU profile and findings', async () => {
  const dir = tempDir();
  const port = await freePort();
  const script = join(dir, 'step7.js');
  writeFileSync(script, stagesScript(`http://127.0.0.1:${port}`));
  // Readiness is the script's own URL (no --ready): the demo listens once its database is loaded.
  const r = await perfloop(
    ['run', '--target', `node ${join(repoRoot, 'dist/demo/server.js')}`, '--env', `PORT=${port}`, '--ready-timeout', '300s',
      '--warmup', '1s', '--no-store', '-o', join(dir, 'out'), '--json', script],
    dir,
  );
  assert.equal(r.code, 0, r.stderr);
  const record = JSON.parse(r.stdout) as RunRecord;
  assert.ok(record.metrics.http_reqs.count > 5, `requests ${record.metrics.http_reqs.count}`);
  assert.equal(record.metrics.http_req_failed.rate, 0);
  assert.ok(record.profile && record.profile.top.length > 0, 'a CPU profile of the whole window');
  assert.ok(existsSync(join(dir, 'out', record.run.id, 'profile.cpuprofile')));
  const rules = record.findings.map((f) => f.rule);
  assert.ok(rules.includes('db.n-plus-one'), `the planted N+1 is found: ${rules}`);
  // The script's scenario: its name, the requests it made (origin dropped), its execution.
  assert.equal(record.run.scenario.name, 'step7.js');
  assert.deepEqual(record.run.scenario.spec?.requests.map((q) => `${q.method} ${q.path}`), ['GET /api/customers/top']);
  assert.equal(record.run.scenario.spec?.load.executor, 'ramping-vus');
  assert.equal(record.measurement.vus, 3);
  const row = record.testScenario!;
  assert.equal(row.vus, '3→0');
  assert.equal(row.duration, '6s');
  assert.deepEqual(row.criteria.map((c) => [c.name, c.ok]), [
    ['http_req_duration: p(95)<60000', true],
    ['http_req_failed: rate<0.5', true],
  ]);
  const md = readFileSync(join(dir, 'out', record.run.id, 'report.md'), 'utf8');
  assert.match(md, /\*\*Test Scenarios\*\*/);
  assert.match(md, /\| step7\.js \| 3→0 \| 6s \| ✅ http_req_duration/);
  assert.match(md, /### Flame Graph Analysis/);
});

test('perfloop run --preset spike: the recovery time after the spike is judged from the per-second intervals and reported', async () => {
  const svc = writeFixtureService();
  const port = await freePort();
  const dir = tempDir();
  const base = `http://127.0.0.1:${port}`;
  const r = await perfloop(
    ['run', '--target', `node ${svc.entry}`, '--env', `PORT=${port}`, '--ready', `${base}/health`, '--ready-timeout', '300s',
      '--url', `${base}/health`, '--preset', 'spike', '--scale', '0.1', '--warmup', '1s', '--no-store', '-o', join(dir, 'out'), '--json'],
    svc.dir,
  );
  const record = JSON.parse(r.stdout) as RunRecord;
  const row = record.testScenario!;
  assert.equal(row.scenario, 'spike');
  assert.equal(row.vus, '10→100→10');
  assert.equal(row.duration, '18s');
  const recovery = row.criteria.find((c) => c.name === 'recovery < 3s');
  assert.ok(recovery, JSON.stringify(row.criteria));
  assert.ok(row.recoveryTimeS === null || (typeof row.recoveryTimeS === 'number' && row.recoveryTimeS >= 0), String(row.recoveryTimeS));
  assert.equal(recovery.ok, row.recoveryTimeS !== null && row.recoveryTimeS < 3);
  // The verdict is the exit code: 99 when the service did not recover in time, as k6 does for thresholds.
  assert.equal(r.code, recovery.ok ? 0 : 99, r.stderr);
  assert.ok(record.intervals.length >= 17, `the whole spike timeline is measured: ${record.intervals.length} s`);
  assert.ok(record.profile, 'the spike window is profiled');
  assert.equal(record.run.scenario.spec?.load.executor, 'ramping-vus');
  const md = readFileSync(join(dir, 'out', record.run.id, 'report.md'), 'utf8');
  assert.match(md, /\| spike \| 10→100→10 \| 18s \| (✅|❌) recovery &lt; 3s \|/);
  assert.match(md, /- Recovery time after the spike: (\d+(\.\d+)? s|not recovered within the run)/);
});
