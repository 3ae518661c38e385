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

/**
 * Shape of a statement with its values taken out: literals and parameters become `?`, IN-lists collapse,
 * whitespace and case of keywords normalise — so `WHERE id = 1` and `WHERE id = 2` are one query.
 * A light lexer (strings, numbers, comments); the full libpg-query fingerprint is used where it is available.
 */
export function normaliseQuery(sql: string): string {
  return sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, '(...)')
    .replace(/\b(select|from|where|and|or|in|any|order by|group by|limit|offset|insert into|values|update|set|delete|join|left|inner|on|as|returning|desc|asc)\b/gi, (k) => k.toUpperCase())
    .trim();
}

/** `GET /api/customers/17/orders?x=1` → `GET /api/customers/:id/orders`: one route for many URLs. */
export function routeOf(request: string | null): string {
  if (!request) return '(no request)';
  const [method, url = ''] = request.split(' ', 2);
  const path = url.split('?', 1)[0].replace(/\/(\d+|[0-9a-f]{8}-[0-9a-f-]{27,}|[0-9a-f]{24,})(?=\/|$)/gi, '/:id');
  return `${method} ${path}`;
}
