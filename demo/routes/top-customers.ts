/**
 * GET /api/customers/top?limit=40 — the customers with the highest lifetime value, each with their
 * orders. Planted problem `n-plus-one`: the orders are loaded with one query per customer
 * (loadOrdersOneByOne); the fix loads them all with one `customer_id = ANY($1)` query.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Fixes } from '../fixes.js';
import { HttpError, intParam, jsonReply, type Route } from '../http.js';
import { ordersOfCustomer, ordersOfCustomers, type OrderSummary } from '../orders.js';

interface CustomerRow {
  id: number;
  name: string;
  email: string;
  tier: string;
  region: string;
  lifetime_value_cents: number;
}

interface TopCustomer {
  id: number;
  name: string;
  email: string;
  tier: string;
  region: string;
  lifetimeValueCents: number;
  orders: OrderSummary[];
}

const MAX_LIMIT = 100;

export function topCustomersRoute(db: PGlite, fixes: Fixes): Route {
  const loadOrders = fixes.has('n-plus-one') ? loadOrdersBatched : loadOrdersOneByOne;
  return {
    method: 'GET',
    pattern: /^\/api\/customers\/top$/,
    async handle({ query }) {
      const limit = intParam(query.get('limit'), 'limit', 40);
      if (limit < 1 || limit > MAX_LIMIT)
        throw new HttpError(400, `limit must be between 1 and ${MAX_LIMIT}`);
      const result = await db.query<CustomerRow>(
        `SELECT id, name, email, tier, region, lifetime_value_cents
           FROM customers ORDER BY lifetime_value_cents DESC, id LIMIT $1`,
        [limit],
      );
      const customers = await loadOrders(db, result.rows);
      return jsonReply({ customers });
    },
  };
}

/** The problem: one orders query per customer, awaited in a loop (N+1 round trips). */
export async function loadOrdersOneByOne(db: PGlite, rows: CustomerRow[]): Promise<TopCustomer[]> {
  const customers: TopCustomer[] = [];
  for (const row of rows) {
    const orders = await ordersOfCustomer(db, row.id);
    customers.push(toTopCustomer(row, orders));
  }
  return customers;
}

/** The fix: every customer's orders in one query. */
export async function loadOrdersBatched(db: PGlite, rows: CustomerRow[]): Promise<TopCustomer[]> {
  const byCustomer = await ordersOfCustomers(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toTopCustomer(row, byCustomer.get(row.id) ?? []));
}

function toTopCustomer(row: CustomerRow, orders: OrderSummary[]): TopCustomer {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    tier: row.tier,
    region: row.region,
    lifetimeValueCents: Number(row.lifetime_value_cents),
    orders,
  };
}
