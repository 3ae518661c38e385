import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runService } from '../../src/loop/run-service.js';
import { freePort } from '../../src/target/free-port.js';
import { repoRoot, tempDir } from '../helpers.js';

/**
 * CPU per endpoint through the real agent: a node:http service with two endpoints whose per-request work is set
 * by env (a fixed number of loop iterations: CPU, not a sleep), run by `perfloop run` end to end.
 */
const SERVICE = `import { createServer } from 'node:http';
function renderReport(n) { let x = 0; for (let i = 0; i < n; i++) x += Math.sqrt(i) * Math.sin(i); return x; }
const work = { '/a': Number(process.env.A_ITER), '/b': Number(process.env.B_ITER) };
createServer(async (req, res) => {
  if (req.url === '/health') return res.end('ok');
  const n = work[req.url];
  if (n === undefined) { res.statusCode = 404; return res.end(); }
  await null; // the work runs in a later callback of the request (its async context), as real handlers do
  res.end(String(renderReport(n)));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function runTwoEndpoints(aIter: number, bIter: number) {
  const dir = tempDir('perfloop-endpoint-cpu-');
  const entry = join(dir, 'server.mjs');
  writeFileSync(entry, SERVICE);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { record, outDir } = await runService({
    target: `node ${entry}`,
    cwd: dir,
    env: { PORT: String(port), A_ITER: String(aIter), B_ITER: String(bIter) },
    ready: `${base}/health`,
    readyTimeoutMs: 120_000,
    requests: [{ url: `${base}/a` }, { url: `${base}/b` }],
    vus: 4,
    durationS: 4,
    warmupS: 1,
    label: 'endpoint cpu',
    outDir: dir,
    storePath: null,
    profile: true,
    samplingIntervalUs: 1000,
    command: 'perfloop run (test)',
  });
  return { record, outDir };
}

test('one endpoint burning CPU: the endpoints table gives it ≥ 90 % of the CPU and the finding says so', async () => {
  // /a: ~300k iterations (milliseconds of CPU per request); /b: 30 (microseconds).
  const { record, outDir } = await runTwoEndpoints(300_000, 30);
  const a = record.endpoints.find((e) => e.name === 'GET /a')!;
  const b = record.endpoints.find((e) => e.name === 'GET /b')!;
  assert.ok(a.count >= 20 && b.count >= 20, `requests a ${a.count}, b ${b.count}`);
  assert.ok(a.cpuShare! >= 90, `GET /a CPU share ${a.cpuShare} %`);
  assert.ok(a.cpuMsPerRequest! > 10 * b.cpuMsPerRequest!, `ms/req a ${a.cpuMsPerRequest}, b ${b.cpuMsPerRequest}`);
  assert.ok(Math.abs(a.cpuShare! + b.cpuShare! - 100) < 0.5, 'every timed request matched an endpoint');
  const f = record.findings.find((x) => x.rule === 'cpu.endpoint-dominates');
  assert.ok(f, `findings: ${record.findings.map((x) => x.rule).join(', ')}`);
  assert.equal(f.evidence.endpoint, 'GET /a');
  assert.match(f.title, /^GET \/a spends \d+ % of the CPU/);
  const md = readFileSync(join(outDir, 'report.md'), 'utf8');
  assert.match(md, /\| Endpoint \| Requests \| p50 \| p95 \| p99 \| Errors \| CPU ms\/req \| CPU share \|/);
  assert.match(md, new RegExp(`\\| GET /a \\| ${a.count} \\|.*\\| ${a.cpuShare}% \\|`));
  const html = readFileSync(join(outDir, 'report.html'), 'utf8');
  assert.match(html, /CPU share/);
  // node:http answers HTTP/1.1: report.json says so, and both reports' header lines.
  assert.deepEqual(record.http, { version: '1.1' });
  assert.match(md, /^- HTTP: the service answered HTTP\/1\.1\.$/m);
  assert.match(html, /HTTP: the service answered HTTP\/1\.1\./);
});

test('balanced endpoints: shares near half each, no endpoint finding', async () => {
  const { record } = await runTwoEndpoints(100_000, 100_000);
  const shares = record.endpoints.map((e) => e.cpuShare!);
  assert.equal(shares.length, 2);
  for (const s of shares) assert.ok(s > 25 && s < 75, `shares ${shares.join(', ')}`);
  assert.equal(record.findings.filter((x) => x.rule === 'cpu.endpoint-dominates').length, 0);
});

const jsonServer = join(repoRoot, 'node_modules', 'json-server', 'lib', 'cli', 'bin.js');

test('json-server, /posts (2,000 posts) beside /posts/1: /posts holds the CPU; the way into its hot dependencies is named', { skip: existsSync(jsonServer) ? false : 'json-server is not installed (npm install)' }, async () => {
  const dir = tempDir('perfloop-json-server-');
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const posts = Array.from({ length: 2000 }, (_, i) => ({ id: i + 1, title: `post ${i}`, body: 'x'.repeat(200), tags: ['a', 'b'] }));
  writeFileSync(join(dir, 'db.json'), JSON.stringify({ posts }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { record } = await runService({
    target: `node ${JSON.stringify(jsonServer)} --port ${port} --quiet db.json`,
    cwd: dir,
    readyTimeoutMs: 120_000,
    requests: [{ url: `${base}/posts` }, { url: `${base}/posts/1` }],
    vus: 4,
    durationS: 5,
    warmupS: 1,
    label: 'json-server',
    outDir: dir,
    storePath: null,
    profile: true,
    samplingIntervalUs: 1000,
    command: 'perfloop run (test)',
  });
  const list = record.endpoints.find((e) => e.name === 'GET /posts')!;
  assert.ok(list.cpuShare! >= 80, `GET /posts CPU share ${list.cpuShare} %`);
  // Which package leads moves with the host (express's response writing or lodash's copies: 39 % / 25 % in one run,
  // 50 % / under the floor in another); every one named must be entered from json-server's own code.
  const deps = record.findings.filter((f) => f.rule === 'cpu.hot-dependency');
  assert.ok(deps.length > 0, `findings: ${record.findings.map((f) => `${f.rule} ${f.title}`).join(' | ')}`);
  for (const f of deps) assert.match(f.title, /the way in: `[\w.]+` \(json-server\/…\/[\w/.-]+\.js:\d+\) → (express|lodash|body-parser|json-server) /, f.title);
  const lodash = deps.find((f) => f.evidence.package === 'lodash');
  if (lodash) {
    const entry = (lodash.evidence.entries as { caller: { function: string; file: string } }[])[0];
    assert.match(entry.caller.file, /json-server\/lib\/server\/router\/plural\.js$/);
    assert.equal(entry.caller.function, 'list');
    assert.match(lodash.title, /`list` \(json-server\/…\/plural\.js:\d+\) → lodash \w+: [\d.]+ % inclusive/);
  }
});
