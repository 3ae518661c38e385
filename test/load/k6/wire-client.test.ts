import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import type { CounterSink, RateSink, TrendSink } from '../../../src/core/metric.js';
import { runLoad } from '../../../src/load/engine.js';
import { tempDir } from '../../helpers.js';
import { selfSigned, startServer } from '../servers.js';

/**
 * k6 mode's plain-http client (src/load/k6/http1-pool.ts) against a raw TCP server, so the test sees the
 * bytes on the wire and decides when a connection dies.
 */
async function rawServer(opts: { dropSecondRequest: boolean }) {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let served = 0;
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.slice(end + 4 + length);
        heads.push(head);
        // The server closing a kept-alive connection just as the next request arrives (its idle timeout).
        if (opts.dropSecondRequest && served === 1) return void socket.destroy();
        served++;
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Served: ' + served + '\r\n\r\nok');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heads,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function script(text: string): string {
  const path = join(tempDir(), 'wire.js');
  writeFileSync(path, text);
  return path;
}

test('k6 http:// requests: one kept-alive connection per VU, Host first, Content-Length on a body-less POST, http_req_sending measured', async () => {
  const srv = await rawServer({ dropSecondRequest: false });
  try {
    const r = await runLoad({
      script: script(`import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 4 };
export default function () {
  const res = http.get('${srv.url}/a?x=1', { headers: { 'X-Mixed-Case': 'v' } });
  check(res, { 'header read back': (r) => r.headers['X-Served'] !== undefined && r.body === 'ok' });
  http.post('${srv.url}/b');
}
`),
    });
    assert.equal(srv.connections(), 1, 'the VU keeps its connection');
    assert.equal(srv.heads.length, 8);
    const get = srv.heads[0].split('\r\n');
    assert.equal(get[0], 'GET /a?x=1 HTTP/1.1');
    assert.equal(get[1], `Host: ${new URL(srv.url).host}`);
    assert.ok(get.includes('X-Mixed-Case: v'), 'header names as the script wrote them');
    assert.ok(srv.heads[1].split('\r\n').includes('Content-Length: 0'), `POST without a body: ${srv.heads[1]}`);
    assert.equal((r.metrics.aggregate('checks') as RateSink).passes, 4);
    const sending = r.metrics.aggregate('http_req_sending') as TrendSink;
    assert.equal(sending.count, 8, 'every request has a sending time');
    assert.ok(sending.max > 0, 'the socket write is measured');
    assert.equal((r.metrics.aggregate('http_req_failed') as RateSink).passes, 0);
  } finally {
    await srv.close();
  }
});

test('a kept-alive connection the server drops under a request: an idempotent request is sent again on a new one, a POST fails', async () => {
  const srv = await rawServer({ dropSecondRequest: true });
  try {
    const get = await runLoad({
      script: script(`import http from 'k6/http';
export const options = { vus: 1, iterations: 3 };
export default function () { http.get('${srv.url}/'); }
`),
    });
    assert.equal((get.metrics.aggregate('http_req_failed') as RateSink).passes, 0, 'every GET got its answer');
    assert.equal(srv.connections(), 3, 'each dropped request went on a new connection');

    const post = await runLoad({
      script: script(`import http from 'k6/http';
export const options = { vus: 1, iterations: 2 };
export default function () { http.post('${srv.url}/', 'x'); }
`),
    });
    const failed = post.metrics.aggregate('http_req_failed') as RateSink;
    assert.equal(failed.passes, 1, 'the second POST is not repeated (it may have been processed)');
  } finally {
    await srv.close();
  }
});

test('an http:// request redirected to https:// goes on through undici (TLS timed), the fast path for the first hop', async () => {
  const { key, cert } = selfSigned();
  const tlsServer = createHttpsServer({ key, cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('secure');
  });
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  const httpsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}/done`;
  const plain = await startServer((_url, res) => {
    res.writeHead(302, { location: httpsUrl });
    res.end();
  });
  try {
    const r = await runLoad({
      script: script(`import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 2, insecureSkipTLSVerify: true };
export default function () {
  const res = http.get('${plain.url}/go');
  check(res, {
    'followed to https': (r) => r.status === 200 && r.url === '${httpsUrl}' && r.body === 'secure',
    'TLS handshake timed on the new connection': (r) => __ITER > 0 || r.timings.tls_handshaking > 0,
  });
}
`),
    });
    assert.equal((r.metrics.aggregate('checks') as RateSink).passes, 4);
    assert.equal((r.metrics.aggregate('http_reqs') as CounterSink).sum, 4, 'both hops of both iterations');
    assert.equal((r.metrics.aggregate('http_req_failed') as RateSink).passes, 0);
  } finally {
    await plain.close();
    tlsServer.closeAllConnections();
    await new Promise((r) => tlsServer.close(r));
  }
});
