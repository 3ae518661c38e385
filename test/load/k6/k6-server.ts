import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server with the behaviours k6 scripts exercise: redirects, cookies, form and multipart echo,
 * basic and digest auth, slow answers (timeouts), JSON. Counts every request it answers.
 */
export async function startK6Server() {
  let requests = 0;
  const paths: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    paths.push(p);
    const json = (v: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (p === '/redirect') {
      const n = Number(url.searchParams.get('n') ?? 1);
      res.writeHead(302, { location: n > 1 ? `/redirect?n=${n - 1}` : '/items' });
      return res.end();
    }
    if (p === '/post-redirect') {
      res.writeHead(303, { location: '/echo' });
      return res.end();
    }
    if (p === '/items') return json({ items: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }], total: 2 });
    if (p === '/login') {
      res.writeHead(200, { 'set-cookie': ['sid=s3cret; Path=/; HttpOnly', 'theme=dark; Path=/'] });
      return res.end('welcome');
    }
    if (p === '/echo')
      return json({
        method: req.method,
        headers: req.headers,
        body,
      });
    if (p === '/basic') {
      const ok = req.headers.authorization === `Basic ${Buffer.from('alice:pw').toString('base64')}`;
      res.writeHead(ok ? 200 : 401);
      return res.end(ok ? 'basic ok' : 'no');
    }
    if (p === '/digest') {
      const auth = req.headers.authorization ?? '';
      const f: Record<string, string> = {};
      for (const m of auth.matchAll(/(\w+)="?([^",]*)"?/g)) f[m[1]] = m[2];
      const md5 = (s: string) => createHash('md5').update(s).digest('hex');
      const expected = md5(
        `${md5('bob:perf:pw')}:n0nce:${f.nc}:${f.cnonce}:auth:${md5(`${req.method}:${f.uri}`)}`,
      );
      if (auth.startsWith('Digest ') && f.response === expected) return void res.end('digest ok');
      res.writeHead(401, { 'www-authenticate': 'Digest realm="perf", qop="auth", nonce="n0nce", opaque="op"' });
      return res.end();
    }
    if (p === '/slow') return void setTimeout(() => res.end('late'), 1500);
    if (p === '/status') {
      res.writeHead(Number(url.searchParams.get('code') ?? 200));
      return res.end();
    }
    res.end('ok');
  };
  const server = createServer((req, res) => {
    requests++;
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => handler(req, res, body));
  });
  // A backlog for hundreds of VUs connecting at once (Node's 511 overflows into 1 s SYN retransmits).
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    paths,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
