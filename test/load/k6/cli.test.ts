import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, tempDir } from '../../helpers.js';
import { startK6Server } from './k6-server.js';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], onSpawn?: (kill: (s: NodeJS.Signals) => void) => void): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    onSpawn?.((s) => child.kill(s));
  });
}

/** The method's Step 7 script, exactly as the method prints it, apart from the URL. */
const step7 = (url: string) => `import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = {
  stages: [
    { duration: '1m', target: 10 },   // Ramp up
    { duration: '3m', target: 10 },   // Steady state
    { duration: '1m', target: 50 },   // Spike
    { duration: '2m', target: 50 },   // Sustained high
    { duration: '1m', target: 0 },    // Ramp down
  ],
  thresholds: {
    http_req_duration: ['p(95)<200'],
    http_req_failed: ['rate<0.01'],
  },
};

export default function () {
  const res = http.get('${url}');
  check(res, {
    'status is 200': (r) => r.status === 200,
    'response time < 200ms': (r) => r.timings.duration < 200,
  });
  sleep(1);
}
`;

test("the method's Step 7 k6 script runs unmodified (shortened with k6's -d/-u flags); http_reqs = requests served", async () => {
  const srv = await startK6Server();
  const dir = tempDir();
  writeFileSync(join(dir, 'step7.js'), step7(`${srv.url}/api/endpoint`));
  try {
    const r = await cli(['k6', 'run', join(dir, 'step7.js'), '-u', '3', '-d', '2s', '--summary-export', join(dir, 'export.json'), '-q']);
    const exp = JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8'));
    // The script's thresholds are k6's exit code; p(95)<200 depends on how busy this machine is.
    const p95 = exp.metrics.http_req_duration['p(95)'];
    assert.equal(exp.metrics.http_req_duration.thresholds['p(95)<200'], p95 >= 200);
    assert.equal(exp.metrics.http_req_failed.thresholds['rate<0.01'], false);
    assert.equal(r.code, p95 >= 200 ? 99 : 0, r.stderr);
    assert.equal(exp.metrics.http_reqs.count, srv.requests());
    assert.ok(srv.requests() >= 3 && srv.requests() <= 12, `sleep(1) paces each VU: ${srv.requests()} requests`);
    assert.equal(exp.root_group.checks['status is 200'].fails, 0);
    // k6's check id: the md5 of its path.
    assert.equal(exp.root_group.checks['status is 200'].id, createHash('md5').update('::status is 200').digest('hex'));
  } finally {
    await srv.close();
  }
});

test('an unsupported module is exit 2 with one line naming the file, the line and the module', async () => {
  const dir = tempDir();
  const file = join(dir, 'grpc.js');
  writeFileSync(file, `import http from 'k6/http';\nimport grpc from 'k6/net/grpc';\nexport default function () {}\n`);
  const r = await cli(['load', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: module "k6/net/grpc" \\(gRPC\\) is not supported`));
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('a busy-loop script ends at duration + gracefulStop', async () => {
  const dir = tempDir();
  const file = join(dir, 'busy.js');
  writeFileSync(
    file,
    `import { sleep } from 'k6';
export const options = { scenarios: { spin: { executor: 'constant-vus', vus: 2, duration: '1s', gracefulStop: '1s' } } };
export default function () { let x = 0; while (true) { x++; } }
`,
  );
  const t0 = performance.now();
  const r = await cli(['load', file, '--summary-export', join(dir, 'e.json'), '-q']);
  const s = (performance.now() - t0) / 1000;
  assert.equal(r.code, 0, r.stderr);
  // duration 1 s + gracefulStop 1 s; without the guard it never ends (k6's own rule is the same 2 s).
  assert.ok(s >= 1.9, `ended after ${s.toFixed(2)} s, before duration + gracefulStop`);
  assert.ok(s < 20, `ended only after ${s.toFixed(2)} s`);
  assert.ok(JSON.parse(readFileSync(join(dir, 'e.json'), 'utf8')).metrics, 'results are saved');
});

test('SIGTERM stops a script stuck in a busy loop within 2 s, results saved', async () => {
  const srv = await startK6Server();
  const dir = tempDir();
  const file = join(dir, 'stuck.js');
  writeFileSync(
    file,
    `import http from 'k6/http';
export const options = { vus: 1, duration: '60s' };
export default function () { http.get('${srv.url}/ready'); for (;;) {} }
`,
  );
  // What ending any run costs on this machine right now (start, one request, summary, export, exit): a
  // machine shared with many times more work than cores stretches that, and the stop cannot be faster.
  const quick = join(dir, 'quick.js');
  writeFileSync(quick, `import http from 'k6/http';\nexport const options = { vus: 1, iterations: 1 };\nexport default function () { http.get('${srv.url}/quick'); }\n`);
  const q0 = performance.now();
  await cli(['load', quick, '--summary-export', join(dir, 'q.json'), '-q']);
  const referenceS = (performance.now() - q0) / 1000;
  let killedAt = 0;
  try {
    const r = await cli(['load', file, '--summary-export', join(dir, 'e.json')], (kill) => {
      const poll = setInterval(() => {
        if (srv.paths.includes('/ready')) {
          clearInterval(poll);
          killedAt = performance.now();
          kill('SIGTERM');
        }
      }, 20);
    });
    const s = (performance.now() - killedAt) / 1000;
    assert.ok(killedAt > 0);
    // The loop guard sees the stop flag at once and the results no longer wait for the thread's teardown
    // (it took 0.2–0.5 s of the old 1–2.6 s): under 2 s, or on a starved machine no longer than a whole
    // one-request run takes there.
    assert.ok(s < Math.max(2, referenceS), `took ${s.toFixed(2)} s after SIGTERM (a one-request run: ${referenceS.toFixed(2)} s)`);
    assert.notEqual(r.code, null);
    assert.ok(JSON.parse(readFileSync(join(dir, 'e.json'), 'utf8')).metrics.http_reqs.count >= 1);
  } finally {
    await srv.close();
  }
});

test('200 VUs sleeping 1 s each get their iterations: every VU iterates, ≥ 60 % of VUs × seconds in all', async () => {
  // The property the 5,000-VU benchmark (bench/k6-vus-memory.ts) measures, at a size a busy 2-core host holds:
  // 200 requests/s is a few % of a core for this server and for the generator (400 VUs × 4 s held 53–100 %
  // at load average 13 on 2 cores, start-up stalls weighing on 4 s; 200 × 6 s held 100 %). Ideal: 6
  // iterations per VU in 6 s (starts at ~0, 1, …, 5 s). A VU starved by the engine (timers, pool, event loop) or VUs serialised
  // behind others show as a VU that never iterates or a total under 60 % (3.6 per VU): that needs over 0.6 s
  // of generator delay per iteration, which is a broken engine, not a loaded machine. (Not a minimum per VU:
  // on a starved host one VU's connect can lose 1 s + 3 s to SYN retransmits, which is the kernel's.)
  const VUS = 200;
  const SECONDS = 6;
  const srv = await startK6Server();
  const dir = tempDir();
  const file = join(dir, 'sleepers.js');
  writeFileSync(
    file,
    `import http from 'k6/http';
import { check, sleep } from 'k6';
export default function () {
  const res = http.get(\`${srv.url}/vu/\${__VU}\`);
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(1);
}
`,
  );
  try {
    const r = await cli(['load', file, '-u', String(VUS), '-d', `${SECONDS}s`, '--summary-export', join(dir, 'e.json'), '-q']);
    assert.equal(r.code, 0, r.stderr);
    const exp = JSON.parse(readFileSync(join(dir, 'e.json'), 'utf8'));
    const perVu = new Map<string, number>();
    for (const p of srv.paths) if (p.startsWith('/vu/')) perVu.set(p, (perVu.get(p) ?? 0) + 1);
    assert.equal(perVu.size, VUS, `${perVu.size} of ${VUS} VUs made a request`);
    const iterations = exp.metrics.iterations.count as number;
    assert.ok(
      iterations >= 0.6 * VUS * SECONDS,
      `${iterations} iterations: ${((100 * iterations) / (VUS * SECONDS)).toFixed(0)} % of ${VUS} VUs × ${SECONDS} s`,
    );
    assert.equal(exp.metrics.http_reqs.count, srv.requests());
    assert.equal(exp.root_group.checks['status is 200'].fails, 0);
  } finally {
    await srv.close();
  }
});
