import { queryShape } from './sql/fingerprint.js';

/** A query a service ran, from whatever source captured it (the Node agent, a trace, a server log). */
export interface ObservedQuery {
  /** Epoch ms when it finished (or started; used only for ordering within a request). */
  t: number;
  durationMs: number;
  rows: number;
  text: string;
  /** Id of the HTTP request it ran under, when known. */
  requestId: string | null;
  /** `METHOD /path?query` of that request, when known. */
  request: string | null;
}

/** An HTTP request the queries ran under (the agent's CapturedRequest shape; a server span from a trace). */
export interface ObservedRequest {
  id: string;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  /** Epoch ms when it arrived. */
  t: number;
}

/**
 * Shape of a statement with its values taken out (`WHERE id = 1` and `WHERE id = 2` are one query), from
 * the PostgreSQL parser; SQL it rejects falls back to a light lexer. See sql/fingerprint.ts.
 */
export function normaliseQuery(sql: string): string {
  return queryShape(sql).query;
}

/** `GET /api/customers/17/orders?x=1` → `GET /api/customers/:id/orders`: one route for many URLs. */
export function routeOf(request: string | null): string {
  if (!request) return '(no request)';
  const [method, url = ''] = request.split(' ', 2);
  const path = url
    .split('?', 1)[0]
    .replace(/\/(\d+|[0-9a-f]{8}-[0-9a-f-]{27,}|[0-9a-f]{24,})(?=\/|$)/gi, '/:id');
  return `${method} ${path}`;
}
