import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentCollector } from '../../src/agent/collector.js';
import { diffHeapSnapshots, type HeapDiff } from '../../src/memory/heap-diff.js';
import { startTarget } from '../../src/target/start.js';
import type { RunningTarget } from '../../src/target/types.js';
import { freePort } from '../../src/target/free-port.js';
import { repoRoot, tempDir } from '../helpers.js';

/**
 * Heap snapshots taken by the agent of services nobody here wrote the framework of: an Express 4 app (from the
 * npm registry) with a planted leak — a request-audit middleware that keeps every request's details in a
 * module-level array — and its control, which keeps the last 50; and json-server 0.17.4 under read-only load,
 * which must stay quiet. Each series: load, forced GC, snapshot — three rounds — then `heap diff`.
 */
const EXPRESS_APP = String.raw`
import express from 'express';
const leak = process.env.LEAK === '1';
const auditTrail = [];
const app = express();
app.use((req, res, next) => {
  const entry = { at: Date.now(), method: req.method, path: req.path, agent: String(req.headers['user-agent']), query: { ...req.query } };
  auditTrail.push(entry);
  if (!leak && auditTrail.length > 50) auditTrail.shift();
  next();
});
app.get('/items/:id', (req, res) => res.json({ id: Number(req.params.id), name: 'item ' + req.params.id }));
app.get('/health', (req, res) => res.send('ok'));
app.listen(Number(process.env.PORT), '127.0.0.1');
`;

const ROUNDS = 3;
const REQUESTS_PER_ROUND = 600;

interface Series {
  files: string[];
  diff: HeapDiff;
}

async function heapSeries(name: string, out: string, start: (port: number, env: Record<string, string>) => Promise<RunningTarget>, path: (i: number) => string): Promise<Series> {
  const collector = await AgentCollector.listen({ sampleMs: 200 });
  const port = await freePort();
  let target: RunningTarget | undefined;
  try {
    target = await start(port, collector.targetEnv(''));
    await collector.waitForAgent(20_000);
    const files: string[] = [];
    let n = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < REQUESTS_PER_ROUND; i += 20)
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            const r = await fetch(`http://127.0.0.1:${port}${path(n++)}`);
            assert.equal(r.status, 200);
            await r.arrayBuffer();
          }),
        );
      await collector.gc();
      const file = join(out, `${name}-${round}.heapsnapshot`);
      await collector.heapSnapshot(file);
      files.push(file);
    }
    return { files, diff: await diffHeapSnapshots(files) };
  } finally {
    await target?.stop();
    await collector.close();
  }
}

const loud = (d: HeapDiff) => d.findings.filter((f) => f.severity !== 'low' && f.severity !== 'info');
const titles = (d: HeapDiff) => d.findings.map((f) => `${f.rule} (${f.severity}): ${f.title}`).join('\n');

const jsonServer = join(repoRoot, 'node_modules', 'json-server', 'lib', 'cli', 'bin.js');
const expressInstalled = existsSync(join(repoRoot, 'node_modules', 'express', 'package.json'));

describe('heap snapshots of an Express app with a planted leak, and of its control', { skip: expressInstalled ? false : 'express is not installed (npm install)' }, () => {
  const dir = tempDir('perfloop-express-heap-');
  const out = tempDir('perfloop-express-heap-out-');
  let leaking: Series;
  let control: Series;
  const start = (leak: boolean) => (port: number, env: Record<string, string>) => {
    return startTarget({
      command: 'node app.mjs',
      cwd: dir,
      env: { ...env, PORT: String(port), LEAK: leak ? '1' : '0' },
      ready: { url: `http://127.0.0.1:${port}/health` },
      readyTimeoutMs: 60_000,
    });
  };
  before(async () => {
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'app.mjs'), EXPRESS_APP);
    const path = (i: number) => `/items/${i}?ref=r${i}`;
    leaking = await heapSeries('express-leak', out, start(true), path);
    control = await heapSeries('express-control', out, start(false), path);
  });
  after(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('diff names the audit trail — the module-level array — and its retainer path', () => {
    const f = leaking.diff.findings.find((x) => x.rule === 'memory.unbounded-collection' || x.rule === 'memory.global-growth');
    assert.ok(f, titles(leaking.diff));
    assert.match(JSON.stringify(f.evidence), /auditTrail/, titles(leaking.diff));
    // What grew between the snapshots is the entries the middleware keeps: one per request, still alive.
    assert.ok(leaking.diff.leaks[0]?.count >= REQUESTS_PER_ROUND, JSON.stringify(leaking.diff.leaks[0]));
  });

  it('stays quiet on the control (the trail keeps the last 50)', () => {
    assert.deepEqual(loud(control.diff).map((f) => f.title), [], titles(control.diff));
    assert.ok(!control.diff.findings.some((f) => JSON.stringify(f.evidence).includes('auditTrail')), titles(control.diff));
  });
});

describe('heap snapshots of json-server 0.17.4 under read-only load', { skip: existsSync(jsonServer) ? false : 'json-server is not installed (npm install)' }, () => {
  const dir = tempDir('perfloop-json-server-heap-');
  const out = tempDir('perfloop-json-server-heap-out-');
  let reads: Series;
  before(async () => {
    const posts = Array.from({ length: 500 }, (_, i) => ({ id: i, title: `post ${i}`, body: 'x'.repeat(200), userId: i % 20 }));
    writeFileSync(join(dir, 'db.json'), JSON.stringify({ posts }));
    reads = await heapSeries(
      'json-server-reads',
      out,
      (port, env) =>
        startTarget({
          command: `node ${JSON.stringify(jsonServer)} --port ${port} --quiet db.json`,
          cwd: dir,
          env,
          ready: { url: `http://127.0.0.1:${port}/posts/1` },
          readyTimeoutMs: 60_000,
        }),
      (i) => (i % 3 === 0 ? `/posts?_limit=10&_page=${1 + (i % 40)}` : `/posts/${i % 500}`),
    );
  });
  after(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds no leak in a service that only reads (no finding above low)', () => {
    assert.equal(reads.files.length, ROUNDS);
    assert.deepEqual(loud(reads.diff).map((f) => f.title), [], titles(reads.diff));
  });
});
