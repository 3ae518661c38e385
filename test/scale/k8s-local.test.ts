import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { cliPath, tempDir } from '../helpers.js';

/** A server on 127.0.0.1 that counts the requests it answers: the ground truth of how much load arrived. */
async function countingServer(): Promise<{ server: Server; url: string; count: () => number }> {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, count: () => n };
}

function cliAsync(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Exact percentile of raw samples, HdrHistogram's definition: the smallest value with ≥ p of samples at or below. */
const exactPercentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

test('k8s run --local 4: every request counted once, merged percentiles exact, thresholds judged on the merged data', async () => {
  const { server, url, count } = await countingServer();
  const dir = tempDir();
  try {
    // 4 shards of 1,000: each alone passes count<3000, the whole (4,000) does not → exit 99.
    const r = await cliAsync(
      ['k8s', 'run', url, '--local', '4', '--iterations', '4000', '-c', '2', '--out', 'json=points-{shard}.ndjson',
        '--result', 'merged.json', '--threshold', 'http_reqs: count<3000', '--store', join(dir, 'p.db'), '--label', 'k8s'],
      dir,
    );
    assert.equal(r.code, 99, r.err);
    assert.equal(count(), 4000, 'the server saw the whole load, no shard ran twice');
    const merged = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8'));
    assert.equal(merged.metrics.http_reqs.count, 4000);
    assert.equal(merged.segment, null);
    assert.deepEqual(merged.thresholds.http_reqs['count<3000'], { ok: false, value: 4000 });
    const samples: number[] = [];
    for (let shard = 0; shard < 4; shard++) {
      const own = readFileSync(join(dir, `points-${shard}.ndjson`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((p) => p.type === 'Point' && p.metric === 'http_req_duration')
        .map((p) => p.data.value as number);
      assert.equal(own.length, 1000, `shard ${shard} sent its quarter (and alone passes count<3000)`);
      samples.push(...own);
    }
    samples.sort((a, b) => a - b);
    for (const [key, p] of [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99]] as const) {
      const exact = exactPercentile(samples, p);
      const got = merged.metrics.http_req_duration[key] as number;
      // HDR at 3 significant digits and µs resolution: within 0.1 % (+1 µs of rounding) of the exact value.
      assert.ok(Math.abs(got - exact) <= exact * 0.002 + 0.002, `${key}: merged ${got} ms, exact ${exact} ms`);
    }
    const store = await openStore(join(dir, 'p.db'));
    const [run] = await store.list();
    await store.close();
    assert.equal(run.label, 'k8s');
    assert.equal(run.rps !== null && run.rps > 0, true);
    assert.match(r.err, /shard 4\/4 finished/);
  } finally {
    server.close();
  }
});

test('k8s run --local: the same load in one process and in 4 shards reaches the server equally', async () => {
  const { server, url, count } = await countingServer();
  const dir = tempDir();
  try {
    // Asynchronously: the server answering lives in this process.
    const one = await cliAsync(['load', url, '--iterations', '800', '-c', '2', '--quiet', '--result', 'one.json'], dir);
    assert.equal(one.code, 0, one.err);
    const single = count();
    const r = await cliAsync(['k8s', 'run', url, '--local', '4', '--iterations', '800', '-c', '2', '--quiet', '--result', 'four.json', '--no-store'], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(single, 800);
    assert.equal(count() - single, 800);
    const four = JSON.parse(readFileSync(join(dir, 'four.json'), 'utf8'));
    assert.equal(four.metrics.http_reqs.count, JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8')).metrics.http_reqs.count);
  } finally {
    server.close();
  }
});

test('k8s run --local: a shard killed mid-run fails the run (exit 1) with its log, and the others stop', async () => {
  const { server, url } = await countingServer();
  const dir = tempDir();
  try {
    const child = spawn(process.execPath, [cliPath, 'k8s', 'run', url, '--local', '3', '-d', '60s', '--rate', '30', '--no-store', '--start-delay', '0s'], { cwd: dir });
    let err = '';
    const killed = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d;
        const m = /shard 2\/3 started \(pid (\d+)\)/.exec(err);
        if (m && !err.includes('#killed')) {
          err += '#killed';
          // Wait until it is sending load (its requests reach the server), then kill it.
          const t = setInterval(() => {
            try {
              process.kill(Number(m[1]), 'SIGKILL');
              clearInterval(t);
              resolve();
            } catch {
              clearInterval(t);
              resolve();
            }
          }, 1500);
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await killed;
    assert.equal(code, 1, err);
    assert.match(err, /shard 2\/3 was killed by SIGKILL/);
    assert.match(err, /SHARD_FAILED/);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  } finally {
    server.close();
  }
});
