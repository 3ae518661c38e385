/**
 * GET /api/customers/{id}/summary — a customer with order totals and three downstream answers.
 * Planted problem `sequential-awaits`: the three independent downstream calls are awaited one after
 * another (loadDownstreamSequential, ~45 ms of waiting); the fix awaits them together (~18 ms).
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Fixes } from '../fixes.js';
import { HttpError, intParam, jsonReply, type Route } from '../http.js';
import {
  fetchLoyaltyStatus,
  fetchRecommendations,
  fetchShippingEstimate,
  type LoyaltyStatus,
  type ShippingEstimate,
} from './downstream.js';

interface Downstream {
  loyalty: LoyaltyStatus;
  recommendations: string[];
  shipping: ShippingEstimate;
}

interface SummaryRow {
  id: number;
  name: string;
  tier: string;
  region: string;
  order_count: number;
  total_cents: number | null;
}

export function customerSummaryRoute(db: PGlite, fixes: Fixes): Route {
  const loadDownstream = fixes.has('sequential-awaits') ? loadDownstreamParallel : loadDownstreamSequential;
  return {
    method: 'GET',
    pattern: /^\/api\/customers\/(?<id>[^/]+)\/summary$/,
    async handle({ params }) {
      const customerId = intParam(params.id, 'customer id');
      const result = await db.query<SummaryRow>(
        `SELECT c.id, c.name, c.tier, c.region,
                (SELECT count(*)::int FROM orders o WHERE o.customer_id = c.id) AS order_count,
                (SELECT sum(total_cents) FROM orders o WHERE o.customer_id = c.id) AS total_cents
           FROM customers c WHERE c.id = $1`,
        [customerId],
      );
      const row = result.rows[0];
      if (!row) throw new HttpError(404, `customer ${customerId} not found`);
      const downstream = await loadDownstream(customerId);
      return jsonReply({
        id: row.id,
        name: row.name,
        tier: row.tier,
        region: row.region,
        orderCount: row.order_count,
        totalCents: Number(row.total_cents ?? 0),
        ...downstream,
      });
    },
  };
}

/** The problem: each call starts only after the previous one answered. */
export async function loadDownstreamSequential(customerId: number): Promise<Downstream> {
  const loyalty = await fetchLoyaltyStatus(customerId);
  const recommendations = await fetchRecommendations(customerId);
  const shipping = await fetchShippingEstimate(customerId);
  return { loyalty, recommendations, shipping };
}

/** The fix: the calls are independent, so they run at the same time. */
export async function loadDownstreamParallel(customerId: number): Promise<Downstream> {
  const [loyalty, recommendations, shipping] = await Promise.all([
    fetchLoyaltyStatus(customerId),
    fetchRecommendations(customerId),
    fetchShippingEstimate(customerId),
  ]);
  return { loyalty, recommendations, shipping };
}
