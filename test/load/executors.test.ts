import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram } from '../../src/core/histogram.js';
import type { CounterSink, GaugeSink } from '../../src/core/metric.js';
import { runLoad } from '../../src/load/engine.js';
import type { LoadScriptOptions } from '../../src/load/options.js';
import { startServer, delayed } from './servers.js';

/** Invariants every executor must keep: one shared suite, run against each implementation. */
const cases: { name: string; options: LoadScriptOptions; exactRequests?: number; maxVUs: number }[] = [
  {
    name: 'shared-iterations',
    options: { scenarios: { s: { executor: 'shared-iterations', vus: 3, iterations: 57 } } },
    exactRequests: 57,
    maxVUs: 3,
  },
  {
    name: 'per-vu-iterations',
    options: { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 7 } } },
    exactRequests: 21,
    maxVUs: 3,
  },
  {
    name: 'constant-vus',
    options: { scenarios: { s: { executor: 'constant-vus', vus: 3, duration: '600ms' } } },
    maxVUs: 3,
  },
  {
    name: 'ramping-vus',
    options: {
      scenarios: {
        s: {
          executor: 'ramping-vus',
          startVUs: 0,
          stages: [
            { duration: '300ms', target: 4 },
            { duration: '300ms', target: 4 },
            { duration: '200ms', target: 0 },
          ],
        },
      },
    },
    maxVUs: 4,
  },
  {
    name: 'constant-arrival-rate',
    options: {
      scenarios: {
        s: {
          executor: 'constant-arrival-rate',
          rate: 50,
          timeUnit: '1s',
          duration: '1s',
          preAllocatedVUs: 2,
          maxVUs: 5,
        },
      },
    },
    exactRequests: 50,
    maxVUs: 5,
  },
  {
    name: 'ramping-arrival-rate',
    options: {
      scenarios: {
        s: {
          executor: 'ramping-arrival-rate',
          startRate: 0,
          timeUnit: '1s',
          stages: [{ duration: '1s', target: 100 }],
          preAllocatedVUs: 2,
          maxVUs: 10,
        },
      },
    },
    exactRequests: 50,
    maxVUs: 10,
  },
];

for (const c of cases) {
  test(`executor ${c.name}: counts agree with the server, intervals add up, VUs stay within bounds`, async () => {
    const srv = await startServer(delayed(1));
    try {
      const r = await runLoad({ requests: [{ url: srv.url }], options: c.options });
      const j = r.toJSON();
      assert.equal(r.requests, srv.requests(), 'every request the server saw was recorded');
      if (c.exactRequests !== undefined) assert.equal(r.requests, c.exactRequests);
      assert.ok(r.requests > 0);
      assert.equal(j.metrics.iterations.count, r.requests, 'one request per iteration');
      assert.equal(
        j.intervals.reduce((a, i) => a + i.count, 0),
        r.requests,
      );
      assert.equal(
        Histogram.mergeAll(j.intervals.map((i) => Histogram.decode(i.histogram))).count,
        j.metrics.http_req_duration.count,
      );
      assert.ok(
        j.metrics.vus_max.value >= 1 && j.metrics.vus_max.value <= c.maxVUs,
        `vus_max ${j.metrics.vus_max.value}`,
      );
      assert.ok((r.metrics.aggregate('vus') as GaugeSink).max <= c.maxVUs);
      assert.equal(j.metrics.dropped_iterations.count, 0);
      assert.equal(r.interrupted, false);
    } finally {
      await srv.close();
    }
  });
}

test('scenarios run side by side with startTime, tags and their own scenario tag', async () => {
  const srv = await startServer(delayed(1));
  try {
    const r = await runLoad({
      requests: [{ url: srv.url }],
      options: {
        scenarios: {
          first: { executor: 'shared-iterations', vus: 2, iterations: 10 },
          later: {
            executor: 'per-vu-iterations',
            vus: 1,
            iterations: 5,
            startTime: '300ms',
            tags: { kind: 'b' },
          },
        },
      },
    });
    const count = (scenario: string) => (r.metrics.aggregate('http_reqs', { scenario }) as CounterSink).sum;
    assert.equal(count('first'), 10);
    assert.equal(count('later'), 5);
    assert.equal(r.requests, 15);
    assert.ok(r.durationS >= 0.3, 'the later scenario started after its startTime');
  } finally {
    await srv.close();
  }
});

test('segments of a shared-iterations run add up to exactly the whole', async () => {
  const srv = await startServer(delayed(1));
  try {
    const counts: number[] = [];
    for (const seg of ['1/3', '2/3', '3/3']) {
      const r = await runLoad({
        requests: [{ url: srv.url }],
        options: { vus: 2, iterations: 58 },
        segment: seg,
      });
      counts.push(r.requests);
      assert.equal(r.extras.segment, seg);
    }
    assert.deepEqual(counts, [20, 19, 19]);
    assert.equal(srv.requests(), 58);
  } finally {
    await srv.close();
  }
});

test('gracefulStop: iterations still in flight are interrupted and not recorded', async () => {
  const srv = await startServer(delayed(2000));
  try {
    const t = performance.now();
    const r = await runLoad({
      requests: [{ url: srv.url }],
      options: {
        scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '200ms', gracefulStop: '100ms' } },
      },
    });
    const took = performance.now() - t;
    assert.ok(took < 1500, `took ${took} ms`);
    assert.equal(srv.requests(), 2, 'both VUs sent a request');
    assert.equal(r.requests, 0, 'interrupted requests are not failures');
  } finally {
    await srv.close();
  }
});
