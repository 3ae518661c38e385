/**
 * The request handler: routes a request, turns errors into JSON replies and logs every request just
 * before its reply is written (so a synchronous logger sits in the request's path, as in many apps).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PGlite } from '@electric-sql/pglite';
import type { Fixes } from './fixes.js';
import { HttpError, jsonReply, matchRoute, textReply, type Reply, type Route } from './http.js';
import type { RequestLogger } from './request-log.js';
import { customerOrdersRoute } from './routes/customer-orders.js';
import { customerSummaryRoute } from './routes/customer-summary.js';
import { dashboardRoute } from './routes/dashboard.js';
import { quotesRoute } from './routes/quotes.js';
import { topCustomersRoute } from './routes/top-customers.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createDemoRoutes(db: PGlite, fixes: Fixes): Route[] {
  const quotes = quotesRoute(fixes);
  const health: Route = { method: 'GET', pattern: /^\/health$/, handle: async () => textReply('ok') };
  // Lets tests and curious users see what this process runs with; not part of the load mix.
  const debugState: Route = {
    method: 'GET',
    pattern: /^\/debug\/state$/,
    async handle() {
      const indexes = await db.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY indexname`,
      );
      return jsonReply({
        fixes: fixes.enabled,
        orderIndexes: indexes.rows.map((r) => r.indexname),
        quoteCacheEntries: quotes.cacheSize(),
        heapUsedBytes: process.memoryUsage().heapUsed,
      });
    },
  };
  return [
    health,
    debugState,
    topCustomersRoute(db, fixes),
    customerOrdersRoute(db),
    customerSummaryRoute(db, fixes),
    dashboardRoute(db, fixes),
    quotes,
  ];
}

export function createRequestHandler(routes: readonly Route[], logger: RequestLogger): RequestHandler {
  return (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const method = req.method ?? 'GET';
    // Requests have no body here, but it must be consumed for keep-alive to work.
    req.resume();
    answer(routes, method, url)
      .catch((error: unknown) => errorReply(error))
      .then((reply) => {
        logger.log({
          time: new Date(),
          method,
          url: req.url ?? '/',
          status: reply.status,
          durationMs: performance.now() - started,
          responseBytes: Buffer.byteLength(reply.body),
          remoteAddress: req.socket.remoteAddress,
          headers: req.headers,
        });
        res.writeHead(reply.status, {
          'content-type': reply.contentType,
          'content-length': Buffer.byteLength(reply.body),
        });
        res.end(method === 'HEAD' ? undefined : reply.body);
      })
      .catch((error: unknown) => {
        process.stderr.write(`perfloop-demo: failed to answer ${method} ${req.url}: ${String(error)}\n`);
        res.destroy();
      });
  };
}

async function answer(routes: readonly Route[], method: string, url: URL): Promise<Reply> {
  const found = matchRoute(routes, method === 'HEAD' ? 'GET' : method, url.pathname);
  if (found === undefined) throw new HttpError(404, `no route for ${url.pathname}`);
  if (found === 'method-not-allowed') throw new HttpError(405, `${method} not allowed on ${url.pathname}`);
  return found.route.handle({ method, path: url.pathname, params: found.params, query: url.searchParams });
}

function errorReply(error: unknown): Reply {
  if (error instanceof HttpError) return jsonReply({ error: error.message }, error.status);
  process.stderr.write(
    `perfloop-demo: internal error: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  return jsonReply({ error: 'internal error' }, 500);
}
