import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, createSecureServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runLoad } from '../../src/load/engine.js';
import { tempDir } from '../helpers.js';
import { selfSigned } from './servers.js';

async function listen(server: Http2Server, versions: string[]): Promise<number> {
  server.on('request', (req, res) => {
    versions.push(req.httpVersion);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const close = (s: Http2Server) => new Promise<void>((r) => s.close(() => r()));

test('HTTP/2 with prior knowledge (h2c) through undici', async () => {
  const versions: string[] = [];
  const server = createServer();
  const port = await listen(server, versions);
  try {
    const r = await runLoad({
      requests: [{ url: `http://127.0.0.1:${port}/h2c` }],
      http2: true,
      options: { vus: 2, iterations: 20 },
    });
    assert.equal(r.requests, 20);
    assert.equal(r.failed.passes, 0);
    assert.deepEqual([...new Set(versions)], ['2.0']);
    assert.equal(versions.length, 20);
  } finally {
    await close(server);
  }
});

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test(
  'TLS: HTTP/2 negotiated by ALPN with --http2, HTTP/1.1 without; scripts too',
  { skip: !hasOpenssl && 'needs the openssl binary' },
  async () => {
    const versions: string[] = [];
    const server = createSecureServer({ ...selfSigned(), allowHTTP1: true }) as unknown as Http2Server;
    const port = await listen(server, versions);
    const url = `https://127.0.0.1:${port}/tls`;
    try {
      const h2 = await runLoad({
        requests: [{ url }],
        http2: true,
        insecure: true,
        options: { vus: 2, iterations: 10 },
      });
      assert.equal(h2.requests, 10);
      assert.equal(h2.failed.passes, 0);
      assert.deepEqual([...new Set(versions)], ['2.0']);
      // Two connections (one per VU), each TLS handshake charged to the request that waited for it.
      const connecting = h2.metricSummaries().http_req_connecting;
      assert.equal(connecting.count, 10);
      assert.ok(connecting.max > 0.1, `a TLS connect takes time: max ${connecting.max} ms`);
      assert.ok(connecting.p50 <= 0.001, `kept-alive requests connect in 0: p50 ${connecting.p50} ms`);
      versions.length = 0;
      const h1 = await runLoad({ requests: [{ url }], insecure: true, options: { vus: 2, iterations: 10 } });
      assert.equal(h1.failed.passes, 0);
      assert.deepEqual([...new Set(versions)], ['1.1']);
      // Without --insecure a self-signed certificate is a failed request, not a crash.
      const strict = await runLoad({ requests: [{ url }], options: { vus: 1, iterations: 2 } });
      assert.equal(strict.failed.passes, 2);
      versions.length = 0;
      const dir = tempDir();
      const script = join(dir, 's.mjs');
      writeFileSync(
        script,
        `export const options = { vus: 1, iterations: 3 };\nexport default async function (ctx) { const r = await ctx.http.get(${JSON.stringify(url)}); ctx.check(r, { ok: (x) => x.status === 200 }); }`,
      );
      const s = await runLoad({ script, http2: true, insecure: true });
      assert.equal(s.requests, 3);
      assert.equal(s.checks()[0].passes, 3);
      assert.deepEqual([...new Set(versions)], ['2.0']);
    } finally {
      await close(server);
    }
  },
);
