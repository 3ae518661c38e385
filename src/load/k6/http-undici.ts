import { Agent, buildConnector, type Dispatcher } from 'undici';
import { EMPTY, k6Error, type Exchanged } from './http-exchange.js';
import type { K6Vu } from './runtime.js';

/**
 * k6 mode's https:// transport: undici, loaded only when a script makes an https request (it costs start-up
 * time and memory otherwise). TLS, ALPN and certificate options are what a generic client is for; plain
 * http:// goes through perfloop's own HTTP/1.1 client (http1-pool.ts).
 */

/** A per-VU pool that notes how long each new connection took (TCP, then TLS). */
export function vuDispatcher(vu: Pick<K6Vu, 'connects'>, o: { insecure: boolean; perHost: number }): Agent {
  const base = buildConnector({ rejectUnauthorized: !o.insecure });
  const connect: buildConnector.connector = (opts, cb) => {
    const t0 = performance.now();
    let tcpAt = 0;
    const socket = base(opts, (err, s) => {
      const t = performance.now();
      if (!err) vu.connects.push({ tcpMs: (tcpAt || t) - t0, tlsMs: tcpAt ? t - tcpAt : 0 });
      cb(err as never, s as never);
    });
    (socket as unknown as NodeJS.EventEmitter | undefined)?.once?.('connect', () => (tcpAt = performance.now()));
    return socket;
  };
  return new Agent({ connect, keepAliveTimeout: 60_000, connections: o.perHost });
}

/**
 * One exchange through undici's dispatch handler API: no Readable stream per response (undici's request()
 * API spends much of a request's CPU on it), the body collected into one Buffer.
 */
function exchange(
  d: Dispatcher,
  opts: Dispatcher.DispatchOptions,
  startedAt: { at: number },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; headersAt: number }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    let headersAt = 0;
    const chunks: Buffer[] = [];
    d.dispatch(opts, {
      // Its presence selects undici's controller-based handler API (the onResponse* methods below). undici
      // calls it when the request has a socket and is about to be written: the end of k6's "blocked".
      onRequestStart() {
        startedAt.at = performance.now();
      },
      onResponseStart(_c, statusCode, h) {
        status = statusCode;
        headers = h;
        headersAt = performance.now();
      },
      onResponseData(_c, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        resolve({ status, headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), headersAt });
      },
      onResponseError(_c, err) {
        reject(err);
      },
    });
  });
}

/** https:// (and anything else the HTTP/1.1 fast path does not do) on undici, with the VU's own pool. */
export async function exchangeUndici(
  vu: K6Vu,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer | undefined,
  timeoutMs: number,
): Promise<Exchanged> {
  vu.connects.length = 0;
  const t0 = performance.now();
  let headersAt = t0;
  let status = 0;
  let resHeaders: Record<string, string | string[] | undefined> = {};
  let buf: Buffer = EMPTY;
  let failure: { error: string; code: number } | null = null;
  const started = { at: 0 };
  try {
    const res = await exchange(vu.dispatcher ??= vuDispatcher(vu, vu.httpOptions), {
      origin: url.origin,
      path: url.pathname + url.search,
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      headersTimeout: timeoutMs > 0 ? timeoutMs : null,
      bodyTimeout: timeoutMs > 0 ? timeoutMs : null,
    }, started);
    headersAt = res.headersAt;
    status = res.status;
    resHeaders = res.headers;
    buf = res.body;
  } catch (e) {
    failure = k6Error(e, url);
  }
  const end = performance.now();
  const conn = vu.connects.shift() ?? { tcpMs: 0, tlsMs: 0 };
  // undici does not report when the request finished writing, so sending stays 0 here (a small request is
  // written in one synchronous socket write); blocked ends where undici hands the request to a socket.
  const startAt = started.at || t0 + conn.tcpMs + conn.tlsMs;
  const waiting = status ? Math.max(0, headersAt - startAt) : 0;
  const receiving = status ? end - headersAt : 0;
  const headerBytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return {
    status,
    headers: resHeaders,
    body: buf,
    timings: {
      duration: status ? waiting + receiving : 0,
      blocked: status ? Math.max(0, startAt - t0) : 0,
      looking_up: 0,
      connecting: conn.tcpMs,
      tls_handshaking: conn.tlsMs,
      sending: 0,
      waiting,
      receiving,
    },
    bytesIn:
      buf.length + Object.entries(resHeaders).reduce((n, [k, v]) => n + k.length + String(v ?? '').length + 4, 17),
    bytesOut: method.length + url.pathname.length + url.search.length + 13 + headerBytes + (body?.length ?? 0),
    failure,
  };
}
