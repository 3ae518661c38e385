import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchedRewrite, findNPlusOne } from '../../src/db/n-plus-one.js';
import { findSlowQueries } from '../../src/db/slow-query.js';
import { queryStats } from '../../src/db/query-stats.js';
import { normaliseQuery, routeOf, type ObservedQuery } from '../../src/db/query.js';
import { queryShape } from '../../src/db/sql/fingerprint.js';

function requestWithLoop(id: string, n: number, t0: number): ObservedQuery[] {
  const out: ObservedQuery[] = [
    {
      t: t0,
      durationMs: 2,
      rows: n,
      text: 'SELECT id, name FROM customers ORDER BY id LIMIT 40',
      requestId: id,
      request: 'GET /api/customers/top?limit=40',
    },
  ];
  for (let i = 0; i < n; i++)
    out.push({
      t: t0 + 1 + i,
      durationMs: 3,
      rows: 15,
      text: `SELECT * FROM orders WHERE customer_id = $1`,
      requestId: id,
      request: 'GET /api/customers/top?limit=40',
    });
  return out;
}

test('fingerprints with the PostgreSQL parser: constants, whitespace, comments, IN-list length', () => {
  assert.equal(
    normaliseQuery("select * from t where a = 1 and b = 'x''y' and c in (1, 2, 3)"),
    'select * from t where a = $1 and b = $2 and c in ($3 /*, … */)',
  );
  const a = queryShape('SELECT * FROM orders WHERE customer_id = $1');
  const b = queryShape('select *   from orders /* lookup */ where customer_id = 42');
  assert.equal(a.fingerprint, b.fingerprint);
  assert.match(a.fingerprint, /^[0-9a-f]{16}$/);
  assert.equal(a.parsed, true);
  assert.equal(
    queryShape('SELECT 1 FROM t WHERE c IN (1, 2)').fingerprint,
    queryShape('SELECT 1 FROM t WHERE c IN (1, 2, 3, 4)').fingerprint,
  );
  // the N+1 and its batched fix stay apart (libpg-query alone gives them one fingerprint)
  assert.notEqual(
    queryShape('SELECT * FROM orders WHERE customer_id = $1').fingerprint,
    queryShape('SELECT * FROM orders WHERE customer_id = ANY($1)').fingerprint,
  );
  // not PostgreSQL (MySQL backticks, ? placeholders): the light lexer still groups them
  const m1 = queryShape('SELECT * FROM `t` WHERE id = ?');
  assert.equal(m1.parsed, false);
  assert.equal(m1.fingerprint, queryShape('SELECT  *  FROM `t` WHERE id = 7').fingerprint);
  assert.equal(routeOf('GET /api/customers/17/orders?x=1'), 'GET /api/customers/:id/orders');
});

test('the batched rewrite comes from the parse tree', () => {
  assert.deepEqual(batchedRewrite('SELECT o.id FROM orders o WHERE o.customer_id = $1 ORDER BY o.id'), {
    column: 'customer_id',
    sql: 'SELECT o.id FROM orders o WHERE o.customer_id = ANY($1) ORDER BY o.id',
  });
  assert.equal(
    batchedRewrite('SELECT * FROM items WHERE order_id = 42')?.sql,
    'SELECT * FROM items WHERE order_id = ANY($1)',
  );
});

test('N+1 fires on a query in a loop and names the query, the route and the batched rewrite', () => {
  const qs = [...requestWithLoop('r1', 40, 0), ...requestWithLoop('r2', 40, 1000)];
  const durations = new Map([
    ['r1', 150],
    ['r2', 150],
  ]);
  const [f, ...rest] = findNPlusOne(qs, { requestDurationMs: durations });
  assert.equal(rest.length, 0);
  assert.equal(f.rule, 'db.n-plus-one');
  assert.equal(f.evidence.route, 'GET /api/customers/top');
  assert.equal(f.evidence.meanRepeats, 40);
  assert.equal(f.evidence.requestsAffected, 2);
  assert.match(String(f.evidence.query), /FROM orders WHERE customer_id = \$1/);
  assert.match(f.recommendation, /customer_id = ANY\(\$1\)/);
  // 40 × 3 ms of 150 ms, minus the one query batching keeps: 117/150 = 78 %
  assert.equal(f.estimatedImpact.pct, 78);
  assert.equal(f.severity, 'critical');
});

test('N+1 stays quiet on a batched request and on repeats spread over different requests', () => {
  const batched: ObservedQuery[] = [
    {
      t: 0,
      durationMs: 2,
      rows: 40,
      text: 'SELECT id FROM customers LIMIT 40',
      requestId: 'a',
      request: 'GET /x',
    },
    {
      t: 1,
      durationMs: 5,
      rows: 600,
      text: 'SELECT * FROM orders WHERE customer_id = ANY($1)',
      requestId: 'a',
      request: 'GET /x',
    },
  ];
  const spread = Array.from({ length: 20 }, (_, i): ObservedQuery => ({
    t: i,
    durationMs: 1,
    rows: 1,
    text: 'SELECT 1 FROM t WHERE id = $1',
    requestId: `req${i}`,
    request: 'GET /y',
  }));
  assert.deepEqual(findNPlusOne([...batched, ...spread]), []);
  // below the configured threshold
  assert.deepEqual(findNPlusOne(requestWithLoop('r', 4, 0)), []);
  assert.equal(findNPlusOne(requestWithLoop('r', 4, 0), { minRepeats: 3 }).length, 1);
  // total-time threshold: 40 × 3 ms per request is below 200 ms
  assert.deepEqual(findNPlusOne(requestWithLoop('r', 40, 0), { minTotalMs: 200 }), []);
  assert.equal(findNPlusOne(requestWithLoop('r', 40, 0), { minTotalMs: 100 }).length, 1);
});

test('top queries by total time and slow-query findings on p95', () => {
  const qs: ObservedQuery[] = [];
  for (let i = 0; i < 100; i++)
    qs.push({
      t: i,
      durationMs: i < 90 ? 5 : 300,
      rows: 1,
      text: `SELECT * FROM big WHERE x = ${i}`,
      requestId: null,
      request: null,
    });
  for (let i = 0; i < 100; i++)
    qs.push({ t: i, durationMs: 1, rows: 1, text: 'SELECT 1', requestId: null, request: null });
  const stats = queryStats(qs);
  assert.equal(stats[0].query, 'SELECT * FROM big WHERE x = $1');
  assert.equal(stats[0].fingerprint, queryShape('SELECT * FROM big WHERE x = 1').fingerprint);
  assert.equal(stats[0].calls, 100);
  assert.equal(stats[0].totalMs, 90 * 5 + 10 * 300);
  assert.ok(stats[0].p95Ms >= 299);
  const slow = findSlowQueries(stats);
  assert.equal(slow.length, 1);
  assert.equal(slow[0].rule, 'db.slow-query');
  assert.deepEqual(findSlowQueries(stats, { slowMs: 1000 }), []);
});
