/**
 * The HTTP version a server actually speaks, read from its answer: a raw server answering `HTTP/1.0`, node:http
 * answering `HTTP/1.1`, and an h2 server over TLS picked by ALPN; nothing listening → null.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createSecureServer } from 'node:http2';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { once } from 'node:events';
import { probeHttpVersion } from '../../src/load/http-version.js';
import { freePort } from '../../src/target/free-port.js';
import { selfSigned } from './servers.js';

async function listening<S extends Server | http.Server>(server: S): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

test('HTTP/1.0 server: its status line says 1.0 (body until close, no Content-Length)', async () => {
  const requests: string[] = [];
  const server = createServer((socket) => {
    socket.once('data', (d) => {
      requests.push(String(d).split('\r\n')[0]);
      socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold server');
    });
  });
  const port = await listening(server);
  try {
    assert.deepEqual(await probeHttpVersion(`http://127.0.0.1:${port}/items?x=1`), { version: '1.0', from: 'status-line' });
    assert.deepEqual(requests, ['GET /items?x=1 HTTP/1.1']);
  } finally {
    server.close();
  }
});

test('node:http answers HTTP/1.1', async () => {
  const server = http.createServer((req, res) => res.end('ok'));
  const port = await listening(server);
  try {
    assert.deepEqual(await probeHttpVersion(`http://127.0.0.1:${port}/`), { version: '1.1', from: 'status-line' });
  } finally {
    server.close();
  }
});

test('h2 over TLS: ALPN picks h2 → 2; an h2 server that also allows HTTP/1.1 still picks h2', async () => {
  const server = createSecureServer({ ...selfSigned(), allowHTTP1: true }, (req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    assert.deepEqual(await probeHttpVersion(`https://127.0.0.1:${port}/`), { version: '2', from: 'alpn' });
  } finally {
    server.close();
  }
});

test('nothing listening, or not HTTP: null, quickly', async () => {
  assert.equal(await probeHttpVersion(`http://127.0.0.1:${await freePort()}/`), null);
  const server = createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
  const port = await listening(server);
  try {
    assert.equal(await probeHttpVersion(`http://127.0.0.1:${port}/`), null);
  } finally {
    server.close();
  }
});
