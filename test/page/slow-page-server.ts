import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A page with two planted problems, each fixable on its own:
 * - a slow script: `plantedLongTask` spins the main thread for `longTaskMs` after first paint (a long task → TBT);
 * - a slow API call: `/api/slow` answers after `apiDelayMs` (the slowest request of the waterfall).
 * The fixed page keeps the same requests, just fast: like with like for `compare`.
 */
export interface SlowPageOptions {
  longTaskMs: number;
  apiDelayMs: number;
}

export const SLOW: SlowPageOptions = { longTaskMs: 400, apiDelayMs: 600 };
export const FIXED: SlowPageOptions = { longTaskMs: 0, apiDelayMs: 0 };

export function pageHtml(title = 'Checkout'): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><script src="/app.js"></script></head>
<body><h1>${title}</h1><p id="total" style="font-size:40px">loading…</p>
<form id="f"><input id="name" name="name"><button id="go" type="submit">Pay</button></form><p id="result"></p>
<script>fetch('/api/slow').then((r) => r.json()).then((d) => { document.getElementById('total').textContent = 'Total: ' + d.total; });
document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault(); document.getElementById('result').textContent = 'Paid by ' + document.getElementById('name').value; });</script>
</body></html>`;
}

export function appJs(longTaskMs: number): string {
  return `function plantedLongTask() { const end = performance.now() + ${longTaskMs}; let x = 0; while (performance.now() < end) x += Math.sqrt(x + 1); return x; }
// Like hydration: right after the first contentful paint, so all of it counts in TBT (which starts at FCP).
new PerformanceObserver((list) => { if (list.getEntries().some((e) => e.name === 'first-contentful-paint')) setTimeout(plantedLongTask, 0); }).observe({ type: 'paint', buffered: true });`;
}

export async function startSlowPageServer(o: SlowPageOptions): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/favicon.ico') {
      res.statusCode = 204;
      res.end();
    } else if (path === '/' || path === '/checkout') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(pageHtml());
    } else if (path === '/app.js') {
      res.setHeader('content-type', 'text/javascript');
      // A static asset as sites serve it: cacheable, so a warm-cache load takes it from the browser's cache.
      res.setHeader('cache-control', 'public, max-age=3600');
      res.end(appJs(o.longTaskMs));
    } else if (path === '/api/slow') {
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ total: 42 }));
      }, o.apiDelayMs);
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
