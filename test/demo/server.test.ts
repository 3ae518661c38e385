/**
 * The demo service end to end: two servers (every problem on / every fix on) start concurrently on
 * one empty cache directory, then every endpoint must answer the same data with and without its fix.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { demoFixes } from '../../demo/catalog.js';
import { seedCachePath } from '../../demo/db.js';
import { QUOTE_CACHE_CAPACITY } from '../../demo/routes/quotes.js';
import { tempDir } from '../helpers.js';
import { getJson, runDemoToExit, startDemo, type DemoProcess } from './demo-process.js';

interface OrderSummary {
  id: number;
  customerId: number;
  totalCents: number;
  placedAt: string;
}
interface DebugState {
  fixes: string[];
  orderIndexes: string[];
  quoteCacheEntries: number;
}

const dir = tempDir('perfloop-demo-test-');
const dataDir = join(dir, 'data');
let problems: DemoProcess;
let fixed: DemoProcess;

before(async () => {
  // Both start on an empty cache at once: both seed, and the atomic rename keeps the cache whole.
  [problems, fixed] = await Promise.all([
    startDemo({
      PERFLOOP_DEMO_FIXES: '',
      PERFLOOP_DEMO_DATA: dataDir,
      PERFLOOP_DEMO_LOG: join(dir, 'problems.log'),
    }),
    startDemo({
      PERFLOOP_DEMO_FIXES: 'all',
      PERFLOOP_DEMO_DATA: dataDir,
      PERFLOOP_DEMO_LOG: join(dir, 'fixed.log'),
    }),
  ]);
});

after(async () => {
  await Promise.all([problems?.stop(), fixed?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('demo server', () => {
  it('answers /health with ok and leaves one complete cache file', async () => {
    for (const server of [problems, fixed]) {
      const response = await fetch(`${server.url}/health`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), 'ok');
    }
    assert.deepEqual(readdirSync(dataDir), [basename(seedCachePath(dataDir))]);
  });

  it('applies PERFLOOP_DEMO_FIXES, including the index of the missing-index fix', async () => {
    const off = (await getJson<DebugState>(problems.url, '/debug/state')).body;
    const on = (await getJson<DebugState>(fixed.url, '/debug/state')).body;
    assert.deepEqual(off.fixes, []);
    assert.deepEqual(
      on.fixes,
      demoFixes.map((f) => f.id),
    );
    assert.ok(!off.orderIndexes.includes('orders_customer_id_idx'));
    assert.ok(on.orderIndexes.includes('orders_customer_id_idx'));
  });

  it('top customers: same customers and orders with and without the n-plus-one fix', async () => {
    type Top = { customers: { id: number; lifetimeValueCents: number; orders: OrderSummary[] }[] };
    const a = await getJson<Top>(problems.url, '/api/customers/top?limit=40');
    const b = await getJson<Top>(fixed.url, '/api/customers/top?limit=40');
    assert.equal(a.status, 200);
    assert.equal(a.body.customers.length, 40);
    assert.deepEqual(b.body, a.body);
    const values = a.body.customers.map((c) => c.lifetimeValueCents);
    assert.deepEqual(
      values,
      [...values].sort((x, y) => y - x),
    );
    for (const customer of a.body.customers) {
      assert.equal(customer.orders.length, 15);
      assert.ok(customer.orders.every((o) => o.customerId === customer.id));
      const sum = customer.orders.reduce((s, o) => s + o.totalCents, 0);
      assert.equal(sum, customer.lifetimeValueCents);
    }
  });

  it('customer orders: same order set for the same customer with and without the index', async () => {
    type Orders = { customerId: number; orderCount: number; totalCents: number; orders: OrderSummary[] };
    for (const id of [0, 5, 1234, 1999]) {
      const a = await getJson<Orders>(problems.url, `/api/customers/${id}/orders`);
      const b = await getJson<Orders>(fixed.url, `/api/customers/${id}/orders`);
      assert.equal(a.status, 200);
      assert.deepEqual(b.body, a.body);
      assert.equal(a.body.orderCount, 15);
      assert.equal(a.body.orders.length, 15);
      assert.ok(a.body.orders.every((o) => o.customerId === id));
      assert.equal(
        a.body.totalCents,
        a.body.orders.reduce((s, o) => s + o.totalCents, 0),
      );
    }
    assert.equal((await getJson(problems.url, '/api/customers/2000/orders')).status, 404);
    assert.equal((await getJson(problems.url, '/api/customers/abc/orders')).status, 400);
  });

  it('dashboard: the trimmed payload lists the same recent orders and totals', async () => {
    type Full = {
      totals: Record<string, unknown>;
      recentOrders: { id: number; items: unknown[]; customer: { id: number } }[];
    };
    type Trimmed = {
      totals: Record<string, unknown>;
      recentOrders: { id: number; itemCount: number; customer: { id: number } }[];
    };
    const response = await fetch(`${problems.url}/api/dashboard`);
    const fullText = await response.text();
    assert.match(fullText, /^\{\n {2}"totals"/, 'the unfixed dashboard is pretty-printed');
    const full = JSON.parse(fullText) as Full;
    const trimmed = (await getJson<Trimmed>(fixed.url, '/api/dashboard')).body;
    assert.equal(full.recentOrders.length, 250);
    assert.deepEqual(
      trimmed.recentOrders.map((o) => [o.id, o.customer.id, o.itemCount]),
      full.recentOrders.map((o) => [o.id, o.customer.id, o.items.length]),
    );
    assert.deepEqual(trimmed.totals, full.totals);
  });

  it('customer summary: same answer with sequential and parallel downstream calls', async () => {
    for (const id of [3, 777]) {
      const a = await getJson<Record<string, unknown>>(problems.url, `/api/customers/${id}/summary`);
      const b = await getJson<Record<string, unknown>>(fixed.url, `/api/customers/${id}/summary`);
      assert.equal(a.status, 200);
      assert.deepEqual(b.body, a.body);
      assert.equal(a.body.orderCount, 15);
      assert.deepEqual(Object.keys(a.body).slice(-3), ['loyalty', 'recommendations', 'shipping']);
    }
    assert.equal((await getJson(fixed.url, '/api/customers/999999/summary')).status, 404);
  });

  it('quotes: same quote per id; the unfixed cache grows without bound, the fixed one stops at its capacity', async () => {
    const a = await getJson<{ id: number; rates: unknown[] }>(problems.url, '/api/quotes/42');
    const b = await getJson<{ id: number; rates: unknown[] }>(fixed.url, '/api/quotes/42');
    assert.deepEqual(b.body, a.body);
    assert.equal(a.body.id, 42);
    assert.equal(a.body.rates.length, 120);
    const ids = Array.from({ length: 560 }, (_, i) => 1000 + i);
    for (const server of [problems, fixed]) {
      for (let i = 0; i < ids.length; i += 40) {
        await Promise.all(
          ids.slice(i, i + 40).map((id) => fetch(`${server.url}/api/quotes/${id}`).then((r) => r.text())),
        );
      }
    }
    assert.equal((await getJson<DebugState>(problems.url, '/debug/state')).body.quoteCacheEntries, 561);
    assert.equal((await getJson<DebugState>(fixed.url, '/debug/state')).body.quoteCacheEntries, QUOTE_CACHE_CAPACITY);
  });

  it('a restart from the cache gives the same data whatever fixes the previous start had', async () => {
    const restarted = await startDemo({
      PERFLOOP_DEMO_FIXES: 'missing-index,sync-logging',
      PERFLOOP_DEMO_DATA: dataDir,
      PERFLOOP_DEMO_LOG: join(dir, 'restarted.log'),
    });
    try {
      assert.match(restarted.stderr(), /loaded from cache/);
      for (const path of ['/api/customers/top?limit=10', '/api/customers/321/orders']) {
        assert.deepEqual((await getJson(restarted.url, path)).body, (await getJson(problems.url, path)).body);
      }
    } finally {
      assert.equal(await restarted.stop(), 0);
    }
    // The buffered logger flushed on SIGTERM.
    assert.match(readFileSync(join(dir, 'restarted.log'), 'utf8'), /"url":"\/api\/customers\/321\/orders"/);
  });

  it('logs every request, synchronously without the fix', async () => {
    await fetch(`${problems.url}/api/customers/7/orders`).then((r) => r.text());
    const lines = readFileSync(join(dir, 'problems.log'), 'utf8').trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { method: string; url: string; status: number };
    assert.deepEqual([last.method, last.url, last.status], ['GET', '/api/customers/7/orders', 200]);
  });

  it('exits 0 on SIGTERM', async () => {
    assert.equal(await fixed.stop(), 0);
    assert.ok(existsSync(join(dir, 'fixed.log')));
  });
});

describe('demo server configuration errors', () => {
  it('an unknown fix id exits 2 with one line naming it', async () => {
    const result = await runDemoToExit({
      PERFLOOP_DEMO_FIXES: 'n-plus-one,teleport',
      PERFLOOP_DEMO_DATA: dataDir,
    });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /unknown fix id 'teleport'/);
    assert.doesNotMatch(lines[0]!, /'n-plus-one'/);
  });

  it('a bad PORT exits 2', async () => {
    const result = await runDemoToExit({ PORT: 'eighty', PERFLOOP_DEMO_DATA: dataDir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /PORT/);
  });
});
