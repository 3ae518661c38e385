/**
 * Schema and deterministic seed data for the demo database: 2,000 customers, 30,000 orders (exactly 15
 * per customer), 90,000 order items. Everything comes from generate_series and integer arithmetic, so
 * every seed produces byte-for-byte the same rows, and seeding takes a few seconds.
 *
 * Deliberately missing: an index on orders.customer_id (the `missing-index` problem). All other
 * lookups the service does are indexed, so that one stands out.
 */
import { DEMO_CUSTOMERS } from './catalog.js';

/** Bump when the schema or seed changes: the cache file name carries it, so stale caches are ignored. */
export const SEED_VERSION = 2;

export const ORDER_COUNT = 30_000;
export const ITEMS_PER_ORDER = 3;

export const seedSql = `
CREATE TABLE customers (
  id                   int PRIMARY KEY,
  name                 text NOT NULL,
  email                text NOT NULL,
  tier                 text NOT NULL,
  region               text NOT NULL,
  city                 text NOT NULL,
  created_at           timestamptz NOT NULL,
  lifetime_value_cents bigint NOT NULL
);

CREATE TABLE orders (
  id               int PRIMARY KEY,
  customer_id      int NOT NULL,
  status           text NOT NULL,
  channel          text NOT NULL,
  currency         text NOT NULL,
  total_cents      bigint NOT NULL,
  placed_at        timestamptz NOT NULL,
  shipping_street  text NOT NULL,
  shipping_city    text NOT NULL,
  shipping_postcode text NOT NULL,
  notes            text NOT NULL
);

CREATE TABLE order_items (
  id               int PRIMARY KEY,
  order_id         int NOT NULL,
  sku              text NOT NULL,
  product_name     text NOT NULL,
  quantity         int NOT NULL,
  unit_price_cents int NOT NULL,
  discount_cents   int NOT NULL
);

-- Items first, so order totals and customer lifetime values can be derived from them in one pass.
INSERT INTO order_items
SELECT g,
       1 + (g - 1) / ${ITEMS_PER_ORDER},
       'SKU-' || lpad(((g * 7907) % 5000)::text, 5, '0'),
       (ARRAY['Widget','Gadget','Sprocket','Gizmo','Doohickey','Flange','Bracket'])[1 + (g * 13) % 7]
         || ' ' || ((g * 7907) % 5000),
       1 + (g * 31) % 4,
       199 + (g * 7907) % 20000,
       CASE WHEN g % 5 = 0 THEN 100 + (g % 900) ELSE 0 END
FROM generate_series(1, ${ORDER_COUNT * ITEMS_PER_ORDER}::bigint) AS g;

CREATE INDEX order_items_order_id_idx ON order_items (order_id);

INSERT INTO orders
SELECT g,
       (g * 7919) % ${DEMO_CUSTOMERS},
       (ARRAY['placed','paid','shipped','delivered','returned'])[1 + ((g * 92821) % 1000003) % 5],
       (ARRAY['web','mobile','store','phone'])[1 + ((g * 40503) % 1000003) % 4],
       'EUR',
       t.total,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '17 minutes',
       (1 + g % 250) || ' ' || (ARRAY['Main','Oak','Elm','Harbour','Mill','Station'])[1 + g % 6] || ' Street',
       (ARRAY['Lisbon','Berlin','Austin','Osaka','Lima','Lyon','Perth','Oslo'])[1 + (g * 7) % 8],
       lpad(((g * 104729) % 100000)::text, 5, '0'),
       repeat('leave at the door; ', (g % 4)::int)
FROM generate_series(1, ${ORDER_COUNT}::bigint) AS g
JOIN (SELECT order_id, sum(quantity * unit_price_cents - discount_cents) AS total
        FROM order_items GROUP BY order_id) AS t ON t.order_id = g;

CREATE INDEX orders_placed_at_idx ON orders (placed_at);

INSERT INTO customers
SELECT c,
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken'])[1 + c % 8] || ' '
         || (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson'])[1 + (c / 8) % 8]
         || ' #' || c,
       'customer' || c || '@example.com',
       (ARRAY['free','pro','enterprise'])[1 + (c * 7) % 3],
       (ARRAY['eu','us','apac','latam'])[1 + (c * 13) % 4],
       (ARRAY['Lisbon','Berlin','Austin','Osaka','Lima','Lyon','Perth','Oslo'])[1 + (c * 3) % 8],
       timestamptz '2022-01-01 00:00:00+00' + c * interval '3 hours',
       coalesce(v.total, 0)
FROM generate_series(0, ${DEMO_CUSTOMERS - 1}) AS c
LEFT JOIN (SELECT customer_id, sum(total_cents) AS total FROM orders GROUP BY customer_id) AS v
       ON v.customer_id = c;

ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE order_items ADD CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);
`;

/**
 * Run after seedSql, each on its own (VACUUM refuses to run inside the implicit transaction of a
 * multi-statement exec). Freezing sets every tuple's hint bits now, so the first scans after a start
 * do not dirty all pages and the demo's timings are stable from the first request.
 */
export const finishSeedStatements = ['VACUUM (FREEZE, ANALYZE)', 'CHECKPOINT'];
