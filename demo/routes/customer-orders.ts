/**
 * GET /api/customers/{id}/orders — one customer's order history with totals. Both queries filter
 * orders on customer_id, so they are where the `missing-index` problem (no index on that foreign key:
 * sequential scan of all 30,000 orders) shows on every call.
 */
import type { PGlite } from '@electric-sql/pglite';
import { HttpError, intParam, jsonReply, type Route } from '../http.js';
import { ordersOfCustomer } from '../orders.js';

export function customerOrdersRoute(db: PGlite): Route {
  return {
    method: 'GET',
    pattern: /^\/api\/customers\/(?<id>[^/]+)\/orders$/,
    async handle({ params }) {
      const customerId = intParam(params.id, 'customer id');
      const totals = await db.query<{ order_count: number; total_cents: number | null }>(
        `SELECT count(*)::int AS order_count, sum(total_cents) AS total_cents
           FROM orders WHERE customer_id = $1`,
        [customerId],
      );
      const { order_count: orderCount, total_cents: totalCents } = totals.rows[0]!;
      if (orderCount === 0) await assertCustomerExists(db, customerId);
      const orders = await ordersOfCustomer(db, customerId);
      return jsonReply({ customerId, orderCount, totalCents: Number(totalCents ?? 0), orders });
    },
  };
}

export async function assertCustomerExists(db: PGlite, customerId: number): Promise<void> {
  const found = await db.query('SELECT 1 FROM customers WHERE id = $1', [customerId]);
  if (found.rows.length === 0) throw new HttpError(404, `customer ${customerId} not found`);
}
