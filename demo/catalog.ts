/**
 * What the demo service offers to the perfloop CLI: its planted problems (in the order `perfloop demo`
 * fixes them), the load mix to run against it, and where its compiled entry point lives.
 * Plain data with no side effects, so the CLI can import it without starting anything.
 */

export interface DemoFix {
  /** Stable id, accepted by PERFLOOP_DEMO_FIXES. */
  id: string;
  /** The iteration's change, as the report labels it. */
  label: string;
  /** What the evidence should point at. */
  bottleneck: string;
  /** What the fix does. */
  change: string;
  /** Where in the service the problem lives (endpoint or cross-cutting part). */
  component: string;
  /** The load-mix endpoint (DemoEndpoint name) the fix is for, when it is for one. */
  endpoint?: string;
  /**
   * What the fix is judged on besides latency: `memory` fixes need heap evidence (snapshots, GC probes) on both
   * sides of the comparison, so the run before the fix collects it too.
   */
  evidence?: 'memory';
}

/**
 * In the order the loop applies them, biggest latency win first. Measured with the endpoint mix below
 * at 10 connections (2-core machine), p95 went roughly 480 → 250 → 170 → 66 → 42 → 37 ms; the last
 * fix bounds memory instead (heap stops growing by ~35 KB per quote request).
 */
export const demoFixes: DemoFix[] = [
  {
    id: 'n-plus-one',
    label: 'batch order query',
    bottleneck: 'DB query in loop (N+1): one orders query per customer',
    change: 'one batched query with WHERE customer_id = ANY($1)',
    component: 'GET /api/customers/top',
    endpoint: 'top customers',
  },
  {
    id: 'missing-index',
    label: 'index orders.customer_id',
    bottleneck: 'sequential scan on orders for customer_id lookups (foreign key without index)',
    change: 'CREATE INDEX orders_customer_id_idx ON orders (customer_id)',
    component: 'orders table (GET /api/customers/{id}/orders, /summary, /top)',
    endpoint: 'customer orders',
  },
  {
    id: 'serialization',
    label: 'trim and cache dashboard payload',
    bottleneck: 'oversized pretty-printed JSON built on every request (serializeDashboard)',
    change: 'trimmed payload, compact JSON, serialized result cached for 2 s',
    component: 'GET /api/dashboard',
    endpoint: 'dashboard',
  },
  {
    id: 'sequential-awaits',
    label: 'parallel downstream calls',
    bottleneck: 'three independent downstream calls awaited one after another',
    change: 'await Promise.all([...]) of the three calls',
    component: 'GET /api/customers/{id}/summary',
    endpoint: 'customer summary',
  },
  {
    id: 'sync-logging',
    label: 'buffered async request log',
    bottleneck: 'synchronous fsync-ed log write on every request (logRequestSync) blocks the event loop',
    change: 'buffered logger: lines batched in memory, written by a stream every 100 ms',
    component: 'request logger (every endpoint)',
  },
  {
    id: 'unbounded-cache',
    label: 'bounded LRU quote cache',
    bottleneck: 'module-level Map cache keyed by quote id that never evicts (heap grows per request)',
    change: 'LRU cache capped at 100 entries',
    evidence: 'memory',
    component: 'GET /api/quotes/{id}',
    endpoint: 'shipping quote',
  },
];

export interface DemoEndpoint {
  name: string;
  method: 'GET' | 'POST';
  /** May contain `{{seq}}` (increasing integer per request) and `{{rand:N}}` (uniform 0..N-1). */
  path: string;
  /** Relative share of requests in the load mix. */
  weight: number;
}

/** Number of seeded customers; customer ids are 0..DEMO_CUSTOMERS-1 so `{{rand:N}}` maps onto them. */
export const DEMO_CUSTOMERS = 2000;

export const demoEndpoints: DemoEndpoint[] = [
  { name: 'top customers', method: 'GET', path: '/api/customers/top?limit=40', weight: 1 },
  {
    name: 'customer orders',
    method: 'GET',
    path: `/api/customers/{{rand:${DEMO_CUSTOMERS}}}/orders`,
    weight: 3,
  },
  { name: 'dashboard', method: 'GET', path: '/api/dashboard', weight: 2 },
  {
    name: 'customer summary',
    method: 'GET',
    path: `/api/customers/{{rand:${DEMO_CUSTOMERS}}}/summary`,
    weight: 2,
  },
  // Ids from a range so large that a run (warm-up, measured window, memory phase — each its own seeded stream)
  // almost never repeats one: the unbounded cache grows with every request and the LRU is judged on the same
  // all-miss traffic. `{{seq}}` restarts at 0 in each phase, which let the warm-up fill the unbounded cache
  // with exactly the ids the measured window then asked for: its "speed" was hits the LRU cannot keep.
  { name: 'shipping quote', method: 'GET', path: '/api/quotes/{{rand:1000000000}}', weight: 2 },
];

/** The compiled demo server, relative to the repository root. */
export const demoServerEntry = 'dist/demo/server.js';
