import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

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

/** The latency server of latency-server.ts in a child process; stopped by close(). */
export async function startLatencyServer(options: {
  delayMs?: number;
  stallMs?: number;
  stallEveryMs?: number;
  stallAfterMs?: number;
}) {
  const child = fork(
    fileURLToPath(new URL('./latency-server.js', import.meta.url)),
    [JSON.stringify(options)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const [msg] = (await once(child, 'message')) as [{ port: number }];
  const url = `http://127.0.0.1:${msg.port}`;
  return {
    url,
    /** Forgets what was served so far (after a warm-up). */
    reset: async () => void (await fetch(`${url}/__reset`)).text(),
    stats: async () =>
      (await (await fetch(`${url}/__stats`)).json()) as {
        count: number;
        p50: number;
        p99: number;
        lagP99: number;
        lagMax: number;
      },
    close: async () => {
      if (child.exitCode === null) {
        child.kill();
        await once(child, 'exit');
      }
    },
  };
}

/** A throwaway self-signed certificate (EC keys are generated in milliseconds). */
export function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = tempDir();
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}
