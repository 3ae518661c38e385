import type { K6Response } from './response.js';
import { config, type K6Vu } from './runtime.js';
import { encodeK6Request, VuConnections, type K6WireRequest } from './http1-pool.js';

/**
 * One exchange as k6 sees it, what both transports of k6 mode hand back for one hop (this file's HTTP/1.1
 * fast path, http-undici.ts): the response (status 0 when none came) and its timings.
 */
export interface Exchanged {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  timings: K6Response['timings'];
  bytesIn: number;
  bytesOut: number;
  failure: { error: string; code: number } | null;
}

export const NO_TIMINGS = (): K6Response['timings'] => ({
  duration: 0, blocked: 0, looking_up: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0,
}); // prettier-ignore

export const EMPTY = Buffer.alloc(0);

/** k6's error strings and codes (k6 docs, "Error codes"). */
export function k6Error(e: unknown, url: URL): { error: string; code: number } {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? '';
  const hostPort = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || /TIMEOUT/.test(code))
    return { error: 'request timeout', code: 1050 };
  if (code === 'ECONNREFUSED') return { error: `dial tcp ${hostPort}: connect: connection refused`, code: 1212 };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { error: `lookup ${url.hostname}: no such host`, code: 1101 };
  if (code === 'ECONNRESET') return { error: 'read: connection reset by peer', code: 1220 };
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))
    return { error: `x509: ${err.message}`, code: 1310 };
  return { error: err.message ?? String(e), code: 1000 };
}

/** Plain http:// on perfloop's HTTP/1.1 client (http1-pool.ts): every timing measured, `sending` included. */
export function exchangeWire(
  vu: K6Vu,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer | undefined,
  timeoutMs: number,
  captureBody: boolean,
): Promise<Exchanged> {
  let req: K6WireRequest;
  try {
    req = encodeK6Request(method, url, headers, body, { captureBody });
  } catch (e) {
    return Promise.resolve(failed(e, url, 0));
  }
  // A promise chain rather than an async function: one promise less per request on k6 mode's hot path.
  return (vu.conns ??= new VuConnections(vu.httpOptions.perHost))
    .send(req, timeoutMs, !config?.noConnectionReuse)
    .then((t) => {
      const sending = t.sendingMs ?? 0;
      return {
        status: t.status,
        headers: t.headers ?? {},
        body: t.body ?? EMPTY,
        // k6's split (its httptrace): blocked = waiting for a connection (a new one's dial included, so
        // blocked ≥ connecting on a fresh connection); duration = sending + waiting + receiving.
        timings: {
          duration: sending + t.waitingMs + t.receivingMs,
          blocked: t.blockedMs + t.connectingMs,
          looking_up: 0,
          connecting: t.connectingMs,
          tls_handshaking: 0,
          sending,
          waiting: t.waitingMs,
          receiving: t.receivingMs,
        },
        bytesIn: t.bytesIn,
        bytesOut: req.bytes.length,
        failure: null,
      };
    }, (e: unknown) => failed(e, url, req.bytes.length));
}

function failed(e: unknown, url: URL, bytesOut: number): Exchanged {
  return { status: 0, headers: {}, body: EMPTY, timings: NO_TIMINGS(), bytesIn: 0, bytesOut, failure: k6Error(e, url) };
}
