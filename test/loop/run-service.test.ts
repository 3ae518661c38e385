import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runService } from '../../src/loop/run-service.js';
import { RunStore } from '../../src/store/run-store.js';
import { tempDir } from '../helpers.js';
import { writeFixtureService } from './fixture-service.js';
import { freePort } from '../../src/target/free-port.js';


const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('perfloop run on a real service: metrics, N+1 and hot function found, artifacts written, run stored', async () => {
  const svc = writeFixtureService();
  const port = await freePort();
  const out = tempDir();
  const base = `http://127.0.0.1:${port}`;
  const { record, outDir: runDir } = await runService({
    target: `node ${svc.entry}`,
    cwd: svc.dir,
    env: { PORT: String(port) },
    readyTimeoutMs: 300_000, // a guard only: readiness is the /health answer
    ready: `${base}/health`,
    requests: [
      { name: 'owners', url: `${base}/owners` },
      { name: 'inventory', url: `${base}/inventory` },
    ],
    vus: 4,
    durationS: 3,
    warmupS: 1,
    label: 'fixture baseline',
    outDir: out,
    storePath: join(out, 'p.db'),
    profile: true,
    samplingIntervalUs: 500,
    heapSnapshots: 3,
    command: 'perfloop run (test)',
  });
  assert.equal(record.schema, 'perfloop/run@1');
  const m = record.metrics;
  assert.ok(m.http_reqs.count > 20, `requests ${m.http_reqs.count}`);
  assert.equal(m.http_req_failed.rate, 0);
  for (const k of ['p50', 'p90', 'p95', 'p99', 'max', 'mean', 'count'] as const)
    assert.equal(typeof m.http_req_duration[k], 'number');
  assert.ok(m.cpu && m.cpu.meanPct > 0);
  assert.ok(m.memory && m.memory.rssMaxMb > 20);
  assert.ok(m.event_loop_delay);
  assert.deepEqual(
    record.endpoints.map((e) => e.name),
    ['owners', 'inventory'],
  );
  assert.ok(record.intervals.length >= 2);
  // The snapshots ran in the memory phase after the measured window: no measured second was paused.
  assert.ok(record.intervals.every((i) => !i.disturbed), JSON.stringify(record.intervals.map((i) => i.disturbed)));
  assert.ok(record.intervals.length <= 4, `only the 3 measured seconds (and a partial one): ${record.intervals.length}`);
  assert.match(record.measurement.load, /then \d+ s of the same load, unmeasured, for heap snapshots/);
  assert.equal(runDir, join(out, record.run.id), 'the run writes its own folder');
  for (const n of [1, 2, 3]) assert.ok(existsSync(join(runDir, `heap-${n}.heapsnapshot`)), `snapshot ${n}`);
  assert.ok(!record.host || record.host.intervals.length >= 1);
  assert.ok(record.efficiency && record.efficiency.cpuMsPerRequest! > 0);

  const n1 = record.findings.find((f) => f.rule === 'db.n-plus-one');
  assert.ok(n1, `no N+1 in ${record.findings.map((f) => f.rule)}`);
  assert.match(String(n1.evidence.query), /FROM items WHERE owner = \$1/);
  assert.equal(n1.evidence.route, 'GET /owners');
  assert.equal(n1.evidence.meanRepeats, 12);
  const hot = record.findings.filter((f) => f.rule === 'cpu.hot-function').map((f) => f.evidence.function);
  assert.ok(hot.includes('serializeInventory'), `hot functions: ${hot}`);
  assert.equal(record.profile?.top.find((t) => t.name === 'serializeInventory')?.category, 'serialization');

  for (const f of ['report.md', 'report.json', 'profile.cpuprofile', 'flame.html', 'queries.ndjson'])
    assert.ok(existsSync(join(runDir, f)), f);
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  assert.match(md, /### Performance Assessment: fixture baseline/);
  assert.match(md, /\| Response time \(p95\) \| [\d.]+ms \| 200ms \|/);
  assert.match(md, /- \[[ x]\] Slow response times/);
  assert.match(md, /\| `serializeInventory`/);
  const cpuprofile = JSON.parse(readFileSync(join(runDir, 'profile.cpuprofile'), 'utf8'));
  assert.ok(Array.isArray(cpuprofile.nodes) && cpuprofile.samples.length > 100);

  const store = RunStore.open(join(out, 'p.db'));
  assert.equal((await store.get('fixture baseline'))?.run.id, record.run.id);
  await store.close();
});

test('a target that cannot start is a one-line error naming it, exit 2, and nothing is left running', async () => {
  const out = tempDir();
  await assert.rejects(
    runService({
      target: 'node does-not-exist.js',
      cwd: out,
      requests: [{ url: `http://127.0.0.1:${await freePort()}/` }],
      vus: 1,
      durationS: 1,
      warmupS: 0,
      label: '',
      outDir: out,
      storePath: null,
      profile: true,
      samplingIntervalUs: 1000,
      command: 'test',
    }),
    (e: Error & { code?: string; exitCode?: number }) => {
      assert.equal(e.code, 'TARGET_EXITED');
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /node does-not-exist\.js/);
      assert.match(e.message, /Cannot find module/);
      assert.ok(!e.message.includes('\n'));
      return true;
    },
  );
});

test('interrupting the measured load keeps what was measured and stops the target', async () => {
  const svc = writeFixtureService();
  const port = await freePort();
  const out = tempDir();
  const base = `http://127.0.0.1:${port}`;
  const ac = new AbortController();
  let targetPid = 0;
  const { record, outDir: runDir } = await runService({
    target: `exec node ${svc.entry}`,
    cwd: svc.dir,
    env: { PORT: String(port) },
    readyTimeoutMs: 300_000, // a guard only: readiness is the /health answer
    ready: `${base}/health`,
    requests: [{ url: `${base}/inventory` }],
    vus: 2,
    durationS: 60,
    warmupS: 0,
    label: 'interrupted',
    outDir: out,
    storePath: null,
    profile: true,
    samplingIntervalUs: 1000,
    command: 'test',
    signal: ac.signal,
    log: (line) => {
      const m = /agent connected \(pid (\d+)\)/.exec(line);
      if (m) targetPid = Number(m[1]);
      if (line.startsWith('load:')) setTimeout(() => ac.abort(), 1500);
    },
  });
  assert.ok(record.metrics.http_reqs.count > 0);
  assert.ok(record.run.durationS < 30);
  assert.ok(record.warnings.some((w) => /interrupted/.test(w)));
  assert.ok(existsSync(join(runDir, 'report.json')));
  assert.ok(targetPid > 0 && !pidAlive(targetPid), 'target stopped');
});
