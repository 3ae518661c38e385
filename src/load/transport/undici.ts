import { buildConnector, Client, H2CClient, type Dispatcher } from 'undici';
import type { ResponseCallback } from '../http1/connection.js';
import type { EncodedRequest } from '../http1/request.js';
import type { Transport } from './types.js';

export interface UndiciTransportOptions {
  /** HTTP/2: negotiated by ALPN over TLS, prior knowledge (h2c) over cleartext. */
  http2: boolean;
  /** Accept self-signed or otherwise invalid TLS certificates. */
  insecure: boolean;
  timeoutMs: number;
}

/**
 * One VU's connection through undici, used where its features matter more than the last microsecond: TLS and
 * HTTP/2 (h2c and over TLS). Plain http:// HTTP/1.1 stays on the lean `net` loop (see http1/response-parser.ts).
 * Connect time (TCP and TLS) is timed by wrapping undici's own connector, and charged to the request that
 * waited for it, as k6 does.
 */
export class UndiciTransport implements Transport {
  private readonly client: Dispatcher;
  private closed = false;
  /** Time spent in connects since the last request took it (a request that waited for a new socket). */
  private connectingMs = 0;

  constructor(origin: string, o: UndiciTransportOptions) {
    const common = {
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    };
    const cleartext = origin.startsWith('http:');
    const h2c = cleartext && o.http2;
    const connector = buildConnector({
      allowH2: o.http2,
      useH2c: h2c,
      rejectUnauthorized: !o.insecure,
      timeout: o.timeoutMs,
    } as buildConnector.BuildOptions);
    const connect: buildConnector.connector = (opts, callback) => {
      const started = performance.now();
      connector(opts, (err, socket) => {
        this.connectingMs += performance.now() - started;
        // undici's callback type is a union of the error and success shapes.
        (callback as (e: Error | null, s: unknown) => void)(err, socket);
      });
    };
    this.client = h2c
      ? new H2CClient(origin, { ...common, connect })
      : new Client(origin, { ...common, allowH2: o.http2, connect });
  }

  /** The connect time this request waited for (0 on a kept-alive connection). */
  private takeConnecting(): number {
    const ms = this.connectingMs;
    this.connectingMs = 0;
    return ms;
  }

  send(req: EncodedRequest, cb: ResponseCallback): void {
    const startedAt = performance.now();
    if (this.closed) return cb(new Error('connection closed'), null, startedAt);
    this.client
      .request({
        path: req.path,
        method: req.method as Dispatcher.HttpMethod,
        headers: { ...req.headers },
        body: req.body,
      })
      .then(async (res) => {
        const headersAt = performance.now();
        let bytes = 0;
        const parts: Buffer[] = [];
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          if (req.captureBody) parts.push(chunk);
        }
        const now = performance.now();
        cb(
          null,
          {
            status: res.statusCode,
            bytesIn: bytes,
            bytesOut: req.bytes.length,
            startedAt,
            connectingMs: this.takeConnecting(),
            blockedMs: 0,
            waitingMs: headersAt - startedAt,
            receivingMs: now - headersAt,
            durationMs: now - startedAt,
            endedAt: now,
            body: req.captureBody ? Buffer.concat(parts) : undefined,
          },
          startedAt,
        );
      })
      .catch((err: Error) => cb(err, null, startedAt));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy().catch(() => {});
  }

  /** undici enforces headersTimeout/bodyTimeout itself. */
  expire(): void {}
}
