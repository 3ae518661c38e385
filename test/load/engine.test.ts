import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../../src/load/engine.js';
import { Histogram } from '../../src/core/histogram.js';
import { PerfloopError } from '../../src/core/errors.js';
import { startServer, delayed } from './servers.js';

test('closed-model VUs against a 20 ms server: percentiles near the truth, counts consistent', async () => {
  const srv = await startServer(delayed(20));
  try {
    const r = await runLoad({
      requests: [{ url: `${srv.url}/a` }],
      executor: { executor: 'constant-vus', vus: 4, duration: 2000 },
    });
    const s = r.toJSON();
    assert.equal(s.schema, 'perfloop/load@1');
    // the server's own count of requests equals what the generator recorded
    assert.equal(s.metrics.http_reqs.count, srv.requests());
    assert.ok(s.metrics.http_reqs.count > 100, `only ${s.metrics.http_reqs.count} requests`);
    // 20 ms of server delay: latency never below it, and the median close to it (generous on a noisy box)
    assert.ok(s.metrics.http_req_duration.p50 >= 20, `p50 ${s.metrics.http_req_duration.p50}`);
    assert.ok(s.metrics.http_req_duration.p50 < 30, `p50 ${s.metrics.http_req_duration.p50}`);
    assert.equal(s.metrics.http_req_failed.rate, 0);
    assert.equal(s.metrics.vus_max.value, 4);
    assert.ok(s.metrics.data_received.count > 0 && s.metrics.data_sent.count > 0);
    // intervals add up to the total and carry histograms that merge to the whole
    const total = s.intervals.reduce((a, i) => a + i.count, 0);
    assert.equal(total, s.metrics.http_reqs.count);
    const merged = Histogram.mergeAll(s.intervals.map((i) => Histogram.decode(i.histogram)));
    assert.equal(merged.count, s.metrics.http_req_duration.count);
    assert.equal(merged.percentile(99), Histogram.decode(s.histograms.http_req_duration).percentile(99));
  } finally {
    await srv.close();
  }
});

test('weighted mix with templates, per-endpoint latency, errors counted', async () => {
  const seen = new Set<string>();
  const srv = await startServer((url, res) => {
    seen.add(url.searchParams.get('id') ?? '');
    if (url.pathname === '/fail') {
      res.writeHead(500);
      res.end('no');
      return;
    }
    const ms = url.pathname === '/slow' ? 30 : 2;
    setTimeout(() => res.end('x'.repeat(2000)), ms);
  });
  try {
    const r = await runLoad({
      requests: [
        { name: 'slow', url: `${srv.url}/slow?id={{seq}}`, weight: 1 },
        { name: 'fast', url: `${srv.url}/fast?id={{rand:5}}`, weight: 3 },
        { name: 'fail', url: `${srv.url}/fail`, weight: 1 },
      ],
      executor: { executor: 'constant-vus', vus: 3, duration: 1500 },
    });
    const eps = Object.fromEntries(r.endpoints().map((e) => [e.name, e]));
    assert.ok(eps.slow.p50 >= 30 && eps.fast.p50 < eps.slow.p50, JSON.stringify(eps));
    assert.equal(eps.fail.errors, eps.fail.count);
    assert.ok(eps.fast.count > eps.slow.count);
    const failedRate = r.failed.rate;
    assert.ok(failedRate > 0.05 && failedRate < 0.5, `failed rate ${failedRate}`);
    assert.ok(seen.size > 10, 'seq placeholder gives distinct ids');
    // Each second also per endpoint: counts and errors add up to the second's, latencies to the endpoint's.
    const intervals = r.toJSON().intervals;
    for (const i of intervals) {
      const parts = Object.values(i.endpoints ?? {});
      assert.equal(
        parts.reduce((n, e) => n + e.count, 0),
        i.count,
        `second ${i.t}`,
      );
      assert.equal(
        parts.reduce((n, e) => n + e.errors, 0),
        i.errors,
        `second ${i.t}`,
      );
    }
    const slowSeconds = intervals.filter((i) => i.endpoints?.slow);
    const slow = Histogram.mergeAll(slowSeconds.map((i) => Histogram.decode(i.endpoints!.slow.histogram)));
    assert.equal(slow.count, eps.slow.count);
    assert.equal(slow.percentile(50) / 1000, eps.slow.p50);
    assert.ok(intervals.some((i) => i.endpoints?.fail && i.endpoints.fail.errors === i.endpoints.fail.count));
  } finally {
    await srv.close();
  }
});

test('chunked and connection-close responses keep the loop going', async () => {
  let i = 0;
  const srv = await startServer((_url, res) => {
    i++;
    if (i % 3 === 0) res.setHeader('connection', 'close');
    res.write('part1');
    setImmediate(() => res.end('part2'));
  });
  try {
    const r = await runLoad({
      requests: [{ url: srv.url }],
      executor: { executor: 'constant-vus', vus: 2, duration: 800 },
    });
    assert.ok(r.requests > 20);
    assert.equal(r.failed.passes, 0);
    assert.equal(r.requests, srv.requests());
  } finally {
    await srv.close();
  }
});

test('a target that dies mid-run gives counted errors, not a crash; unreachable at start is exit 2', async () => {
  const srv = await startServer(delayed(5));
  const url = srv.url;
  setTimeout(() => void srv.close(), 400);
  const r = await runLoad({
    requests: [{ url }],
    executor: { executor: 'constant-vus', vus: 2, duration: 1200 },
  });
  assert.ok(r.failed.passes > 0, 'errors counted');
  assert.ok(r.requests > r.failed.passes, 'successes before the death');
  await assert.rejects(
    runLoad({ requests: [{ url }], executor: { executor: 'constant-vus', vus: 1, duration: 500 } }),
    (e: PerfloopError) =>
      e.code === 'LOAD_UNREACHABLE' && e.exitCode === 2 && e.message.includes('127.0.0.1'),
  );
});

test('abort stops the run early and keeps what was measured', async () => {
  const srv = await startServer(delayed(5));
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const t = Date.now();
    const r = await runLoad({
      requests: [{ url: srv.url }],
      executor: { executor: 'constant-vus', vus: 2, duration: 20_000 },
      signal: ac.signal,
    });
    assert.ok(Date.now() - t < 10_000);
    assert.ok(r.interrupted);
    assert.ok(r.requests > 10);
  } finally {
    await srv.close();
  }
});

test('invalid executor config lists every error', async () => {
  await assert.rejects(
    runLoad({
      requests: [{ url: 'http://127.0.0.1:1/' }],
      executor: { executor: 'constant-vus', vus: 0, duration: 'soon' },
    }),
    (e: PerfloopError) =>
      e.code === 'LOAD_BAD_OPTIONS' &&
      /executor\.vus/.test(e.message) &&
      /executor\.duration/.test(e.message),
  );
});

test('request timeouts are counted as failures without a response; the run stays bounded', async () => {
  const srv = await startServer(() => {
    // never answers
  });
  try {
    const t = Date.now();
    const r = await runLoad({
      requests: [{ url: srv.url }],
      options: { vus: 2, duration: '1s' },
      timeoutMs: 200,
    });
    assert.ok(Date.now() - t < 5000, 'in-flight requests end at their timeout, not after gracefulStop');
    assert.ok(r.failed.passes >= 4, `failed ${r.failed.passes}`);
    assert.equal(r.failed.passes, r.requests, 'every request failed');
    assert.equal(r.latency().count, 0, 'no response, no latency');
  } finally {
    await srv.close();
  }
});

test('pipelining: VUs share connections, several requests in flight on each', async () => {
  const sockets = new Set<unknown>();
  const srv = await startServer(delayed(2));
  srv.server.prependListener('request', (req) => void sockets.add(req.socket));
  try {
    const r = await runLoad({
      requests: [{ url: srv.url }],
      options: { vus: 8, iterations: 400 },
      pipelining: 4,
    });
    assert.equal(r.requests, 400);
    assert.equal(r.failed.passes, 0);
    assert.equal(srv.requests(), 400);
    assert.equal(sockets.size, 2, '8 VUs over 2 connections');
  } finally {
    await srv.close();
  }
});

test('request phases: sending, waiting (to the first byte) and receiving (to the last) add up to the duration', async () => {
  // Headers after 20 ms, the body's last bytes 30 ms later.
  const srv = await startServer((_url, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      res.write('first part ');
      res.flushHeaders();
      setTimeout(() => res.end('last part'), 30);
    }, 20);
  });
  try {
    const r = await runLoad({
      requests: [{ url: srv.url }],
      executor: { executor: 'per-vu-iterations', vus: 2, iterations: 10 },
    });
    const m = r.metricSummaries();
    const mean = (name: string) => m[name].mean;
    assert.equal(m.http_req_sending.count, 20, 'the HTTP/1.1 path measures sending for every request');
    assert.ok(mean('http_req_sending') < 5, `sending ${mean('http_req_sending')}`);
    assert.ok(
      mean('http_req_waiting') >= 20 && mean('http_req_waiting') < 70,
      `waiting ${mean('http_req_waiting')}`,
    );
    assert.ok(
      mean('http_req_receiving') >= 28 && mean('http_req_receiving') < 80,
      `receiving ${mean('http_req_receiving')}`,
    );
    const phases = mean('http_req_sending') + mean('http_req_waiting') + mean('http_req_receiving');
    // Means of µs-precision histograms: the sum matches within a millisecond.
    assert.ok(Math.abs(phases - mean('http_req_duration')) < 1, `${phases} vs ${mean('http_req_duration')}`);
  } finally {
    await srv.close();
  }
});
