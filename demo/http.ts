/** The few HTTP pieces the demo needs on top of node:http: a route table and replies. */

export interface RouteRequest {
  method: string;
  path: string;
  /** Named groups captured by the route pattern. */
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Reply {
  status: number;
  contentType: string;
  body: string;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Anchored pattern on the path; named groups become `params`. */
  pattern: RegExp;
  handle(request: RouteRequest): Promise<Reply>;
}

/** Thrown by handlers for client errors; the app turns it into a JSON error reply. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function jsonReply(value: unknown, status = 200): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

export function textReply(body: string, status = 200): Reply {
  return { status, contentType: 'text/plain; charset=utf-8', body };
}

/** A non-negative integer path or query parameter, or a 400. */
export function intParam(value: string | null | undefined, name: string, fallback?: number): number {
  if ((value === null || value === undefined || value === '') && fallback !== undefined) return fallback;
  if (value === null || value === undefined || !/^\d{1,9}$/.test(value)) {
    throw new HttpError(400, `${name} must be a non-negative integer`);
  }
  return Number(value);
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | 'method-not-allowed' | undefined {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.method === method) return { route, params: { ...match.groups } };
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}
