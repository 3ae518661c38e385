/**
 * A minimal OTLP/HTTP trace receiver on 127.0.0.1 (POST /v1/traces, JSON encoding, optionally gzip), so a
 * service in any language that exports OpenTelemetry traces is analysed in the same run: its database spans
 * become observed queries per HTTP request. Protobuf bodies are refused with 415 (configure the exporter with
 * OTEL_EXPORTER_OTLP_PROTOCOL=http/json; `env()` gives the variables).
 * Spec: https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { ObservedQuery, ObservedRequest } from './query.js';
import { observedFromSpans, spansOfRequest, type OtlpSpan } from './sources/otlp.js';

export interface OtlpReceiverOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Largest accepted request body, after decompression (default 32 MB). */
  maxBodyBytes?: number;
  /** Spans kept at most; later ones are counted as dropped (default 1,000,000). */
  maxSpans?: number;
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/v1/traces` */
  tracesEndpoint: string;
  port: number;
  /** Environment for the target so its OpenTelemetry SDK exports here, in JSON. */
  env(): Record<string, string>;
  spans(): readonly OtlpSpan[];
  /** Database spans as observed queries, grouped under their HTTP server spans. */
  observed(): { queries: ObservedQuery[]; requests: ObservedRequest[] };
  stats(): { exports: number; spans: number; droppedSpans: number; rejected: number };
  close(): Promise<void>;
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const maxSpans = options.maxSpans ?? 1_000_000;
  const spans: OtlpSpan[] = [];
  const counters = { exports: 0, spans: 0, droppedSpans: 0, rejected: 0 };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    if (status >= 400) counters.rejected++;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => reply(res, 400, { code: 3, message: e.message }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/traces') return reply(res, 404, { code: 5, message: 'only /v1/traces is served' });
    if (req.method !== 'POST') return reply(res, 405, { code: 12, message: 'POST only' });
    const type = String(req.headers['content-type'] ?? 'application/json');
    if (!/json/i.test(type))
      return reply(res, 415, {
        code: 3,
        message: 'only OTLP/JSON is accepted: set OTEL_EXPORTER_OTLP_PROTOCOL=http/json',
      });
    const raw = await readBody(req, maxBody);
    if (raw === null) return reply(res, 413, { code: 8, message: `body over ${maxBody} bytes` });
    const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
    const body =
      encoding === 'gzip'
        ? gunzipSync(raw, { maxOutputLength: maxBody })
        : encoding === 'deflate'
          ? inflateSync(raw, { maxOutputLength: maxBody })
          : raw;
    const batch = spansOfRequest(JSON.parse(body.toString('utf8')));
    counters.exports++;
    let rejected = 0;
    for (const s of batch) {
      if (spans.length >= maxSpans) {
        counters.droppedSpans++;
        rejected++;
        continue;
      }
      spans.push(s);
      counters.spans++;
    }
    reply(
      res,
      200,
      rejected
        ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: 'perfloop span limit reached' } }
        : { partialSuccess: {} },
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    tracesEndpoint: `${url}/v1/traces`,
    port,
    env: () => ({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    }),
    spans: () => spans,
    observed: () => observedFromSpans(spans),
    stats: () => ({ ...counters }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
