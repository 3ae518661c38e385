/**
 * GET /api/dashboard — the most recent orders with totals by status. Planted problem `serialization`:
 * every request rebuilds an oversized payload (each order carries its full customer, address, items,
 * timeline and links) and pretty-prints it in serializeDashboard. The fix sends a trimmed, compact
 * payload and reuses the serialized string for a short time.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Fixes } from '../fixes.js';
import type { Reply, Route } from '../http.js';

const RECENT_ORDERS = 250;
/** How long the fixed version reuses its serialized payload. */
export const DASHBOARD_TTL_MS = 2000;

interface RecentOrderRow {
  id: number;
  status: string;
  channel: string;
  currency: string;
  total_cents: number;
  placed_at: Date;
  shipping_street: string;
  shipping_city: string;
  shipping_postcode: string;
  notes: string;
  customer_id: number;
  customer_name: string;
  customer_email: string;
  customer_tier: string;
  customer_region: string;
  customer_city: string;
}

interface ItemRow {
  id: number;
  order_id: number;
  sku: string;
  product_name: string;
  quantity: number;
  unit_price_cents: number;
  discount_cents: number;
}

interface DashboardData {
  orders: RecentOrderRow[];
  itemsByOrder: Map<number, ItemRow[]>;
}

export function dashboardRoute(db: PGlite, fixes: Fixes): Route {
  const respond = fixes.has('serialization') ? trimmedCachedDashboard(db) : () => fullDashboard(db);
  return {
    method: 'GET',
    pattern: /^\/api\/dashboard$/,
    handle: respond,
  };
}

async function loadDashboardData(db: PGlite): Promise<DashboardData> {
  const orders = await db.query<RecentOrderRow>(
    `SELECT o.id, o.status, o.channel, o.currency, o.total_cents, o.placed_at, o.shipping_street,
            o.shipping_city, o.shipping_postcode, o.notes, c.id AS customer_id, c.name AS customer_name,
            c.email AS customer_email, c.tier AS customer_tier, c.region AS customer_region,
            c.city AS customer_city
       FROM orders o JOIN customers c ON c.id = o.customer_id
      ORDER BY o.placed_at DESC, o.id DESC LIMIT $1`,
    [RECENT_ORDERS],
  );
  const items = await db.query<ItemRow>(
    `SELECT id, order_id, sku, product_name, quantity, unit_price_cents, discount_cents
       FROM order_items WHERE order_id = ANY($1) ORDER BY id`,
    [orders.rows.map((o) => o.id)],
  );
  const itemsByOrder = new Map<number, ItemRow[]>();
  for (const item of items.rows) {
    const list = itemsByOrder.get(item.order_id) ?? [];
    list.push(item);
    itemsByOrder.set(item.order_id, list);
  }
  return { orders: orders.rows, itemsByOrder };
}

function totalsByStatus(orders: RecentOrderRow[]): Record<string, { orders: number; revenueCents: number }> {
  const totals: Record<string, { orders: number; revenueCents: number }> = {};
  for (const order of orders) {
    const entry = (totals[order.status] ??= { orders: 0, revenueCents: 0 });
    entry.orders += 1;
    entry.revenueCents += Number(order.total_cents);
  }
  return totals;
}

// ---- the problem -------------------------------------------------------------------------------

async function fullDashboard(db: PGlite): Promise<Reply> {
  const payload = buildFullDashboard(await loadDashboardData(db));
  return { status: 200, contentType: 'application/json; charset=utf-8', body: serializeDashboard(payload) };
}

/** Pretty-printed on every request: the stringify call stays here so a CPU profile names this function. */
export function serializeDashboard(payload: unknown): string {
  return JSON.stringify(payload, null, 2);
}

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

export function buildFullDashboard({ orders, itemsByOrder }: DashboardData): unknown {
  return {
    totals: totalsByStatus(orders),
    recentOrders: orders.map((o) => {
      const placedAt = o.placed_at.toISOString();
      const items = itemsByOrder.get(o.id) ?? [];
      return {
        id: o.id,
        status: o.status,
        channel: o.channel,
        currency: o.currency,
        totalCents: Number(o.total_cents),
        totalFormatted: money(Number(o.total_cents), o.currency),
        placedAt,
        placedAtLocal: o.placed_at.toUTCString(),
        notes: o.notes,
        customer: {
          id: o.customer_id,
          name: o.customer_name,
          email: o.customer_email,
          tier: o.customer_tier,
          region: o.customer_region,
          city: o.customer_city,
          profileUrl: `https://shop.example.com/customers/${o.customer_id}`,
          avatarUrl: `https://cdn.example.com/avatars/${o.customer_id}.png`,
        },
        shipping: {
          street: o.shipping_street,
          city: o.shipping_city,
          postcode: o.shipping_postcode,
          country: 'Example Republic',
          instructions: o.notes || 'none',
        },
        items: items.map((i) => {
          const lineTotal = i.quantity * i.unit_price_cents - i.discount_cents;
          return {
            id: i.id,
            sku: i.sku,
            productName: i.product_name,
            quantity: i.quantity,
            unitPriceCents: i.unit_price_cents,
            unitPriceFormatted: money(i.unit_price_cents, o.currency),
            discountCents: i.discount_cents,
            lineTotalCents: lineTotal,
            lineTotalFormatted: money(lineTotal, o.currency),
            taxCents: Math.round(lineTotal * 0.2),
            productUrl: `https://shop.example.com/products/${i.sku}`,
            imageUrl: `https://cdn.example.com/products/${i.sku}/large.jpg`,
          };
        }),
        timeline: ['placed', 'paid', 'shipped', 'delivered'].map((status, step) => ({
          status,
          at: new Date(o.placed_at.getTime() + step * 36e5).toISOString(),
          actor: step === 0 ? `customer:${o.customer_id}` : 'system',
          note: `order ${o.id} ${status}`,
        })),
        links: {
          self: `/api/orders/${o.id}`,
          customer: `/api/customers/${o.customer_id}`,
          invoice: `/api/orders/${o.id}/invoice.pdf`,
        },
      };
    }),
  };
}

// ---- the fix ------------------------------------------------------------------------------------

export function buildTrimmedDashboard({ orders, itemsByOrder }: DashboardData): unknown {
  return {
    totals: totalsByStatus(orders),
    recentOrders: orders.map((o) => ({
      id: o.id,
      status: o.status,
      totalCents: Number(o.total_cents),
      placedAt: o.placed_at.toISOString(),
      customer: { id: o.customer_id, name: o.customer_name },
      itemCount: itemsByOrder.get(o.id)?.length ?? 0,
    })),
  };
}

function trimmedCachedDashboard(db: PGlite): () => Promise<Reply> {
  let cached: { body: string; expiresAt: number } | undefined;
  let refreshing: Promise<string> | undefined;
  const refresh = async () => {
    const body = JSON.stringify(buildTrimmedDashboard(await loadDashboardData(db)));
    cached = { body, expiresAt: Date.now() + DASHBOARD_TTL_MS };
    return body;
  };
  return async () => {
    let body = cached && cached.expiresAt > Date.now() ? cached.body : undefined;
    // Concurrent misses share one refresh instead of stampeding the database.
    body ??= await (refreshing ??= refresh().finally(() => (refreshing = undefined)));
    return { status: 200, contentType: 'application/json; charset=utf-8', body };
  };
}
