/** Order queries shared by the endpoints. Rows are mapped to plain objects with camelCase fields. */
import type { PGlite } from '@electric-sql/pglite';

export interface OrderRow {
  id: number;
  customer_id: number;
  status: string;
  channel: string;
  currency: string;
  total_cents: number;
  placed_at: Date;
}

export interface OrderSummary {
  id: number;
  customerId: number;
  status: string;
  channel: string;
  currency: string;
  totalCents: number;
  placedAt: string;
}

export const ORDER_COLUMNS = 'id, customer_id, status, channel, currency, total_cents, placed_at';

export function toOrderSummary(row: OrderRow): OrderSummary {
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    channel: row.channel,
    currency: row.currency,
    totalCents: Number(row.total_cents),
    placedAt: row.placed_at.toISOString(),
  };
}

/** One customer's orders, newest first. Without orders_customer_id_idx this is a sequential scan. */
export async function ordersOfCustomer(db: PGlite, customerId: number): Promise<OrderSummary[]> {
  const result = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE customer_id = $1 ORDER BY placed_at DESC, id DESC`,
    [customerId],
  );
  return result.rows.map(toOrderSummary);
}

/** Many customers' orders in one query, grouped by customer id (newest first within a customer). */
export async function ordersOfCustomers(
  db: PGlite,
  customerIds: number[],
): Promise<Map<number, OrderSummary[]>> {
  const result = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE customer_id = ANY($1) ORDER BY placed_at DESC, id DESC`,
    [customerIds],
  );
  const byCustomer = new Map<number, OrderSummary[]>(customerIds.map((id) => [id, []]));
  for (const row of result.rows) byCustomer.get(row.customer_id)?.push(toOrderSummary(row));
  return byCustomer;
}
