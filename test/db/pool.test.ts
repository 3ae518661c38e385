import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analysePools, type PoolGauge } from '../../src/db/pool.js';

const samples = (gauges: Omit<PoolGauge, 'id'>[]) =>
  gauges.map((g, i) => ({ t: i * 250, pools: [{ id: 'pool-1', ...g }] }));

test('pool saturation: clients wait and Little’s law says the pool is too small → grow it within cores × 2 + spindles', () => {
  // 400 req/s × 2 queries × 10 ms = 8 connections busy on average; the pool has 5
  const s = samples(
    Array.from({ length: 40 }, (_, i) => ({ total: 5, idle: 0, waiting: i % 4 === 0 ? 0 : 3 })),
  );
  const { pools, findings } = analysePools({
    samples: s,
    arrivalRate: 400,
    meanQueryMs: 10,
    queriesPerRequest: 2,
    dbCores: 8,
    spindles: 1,
  });
  assert.equal(pools[0].littleL, 8);
  assert.equal(pools[0].formulaSize, 17);
  assert.equal(pools[0].recommendedSize, 10); // 8 × 1.25
  const [f] = findings;
  assert.equal(f.rule, 'db.pool-saturation');
  assert.equal(f.evidence.waitingShare, 0.75);
  assert.equal(f.evidence.symptom, 'database connection exhaustion');
  assert.match(f.recommendation, /Pool size 5 → 10/);
  assert.equal(f.severity, 'critical');
});

test('the offered load exceeds what the database can run: recommend cores × 2 + spindles and cutting query time', () => {
  const s = samples(Array.from({ length: 20 }, () => ({ total: 10, idle: 0, waiting: 20 })));
  const { pools } = analysePools({ samples: s, arrivalRate: 1000, meanQueryMs: 50, dbCores: 4, spindles: 1 });
  assert.equal(pools[0].littleL, 50);
  assert.equal(pools[0].recommendedSize, 10);
  assert.match(pools[0].rationale, /cut query time/);
});

test('clients wait although Little’s law needs few connections: connections are held too long, do not grow the pool', () => {
  const s = samples(Array.from({ length: 20 }, () => ({ total: 10, idle: 0, waiting: 4 })));
  const { pools, findings } = analysePools({ samples: s, arrivalRate: 50, meanQueryMs: 2, dbCores: 4 });
  assert.equal(pools[0].recommendedSize, 10);
  assert.match(findings[0].recommendation, /Keep the pool at 10: .*held longer than the queries take/);
});

test('no waiting: no finding', () => {
  const s = samples(Array.from({ length: 20 }, () => ({ total: 4, idle: 2, waiting: 0 })));
  const { pools, findings } = analysePools({ samples: s, arrivalRate: 100, meanQueryMs: 5 });
  assert.deepEqual(findings, []);
  assert.equal(pools[0].meanBusy, 2);
  // one stray sample with a waiter is not saturation either
  s[3].pools[0].waiting = 1;
  assert.deepEqual(analysePools({ samples: s, arrivalRate: 100, meanQueryMs: 5 }).findings, []);
});
