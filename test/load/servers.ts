import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server whose latency and answers the test controls. */
export async function startServer(
  handler: (url: URL, res: import('node:http').ServerResponse) => void,
): Promise<{ url: string; server: Server; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    handler(new URL(req.url ?? '/', 'http://x'), res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function delayed(ms: number, body = 'ok', status = 200) {
  return (_url: URL, res: import('node:http').ServerResponse) => {
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    }, ms);
  };
}
