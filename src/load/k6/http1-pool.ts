import { Http1Connection, type ResponseTiming } from '../http1/connection.js';
import type { EncodedRequest } from '../http1/request.js';

/**
 * A k6 VU's plain-http connections on perfloop's own HTTP/1.1 client (the one URL mode runs on), one keep-alive
 * connection per origin and more only while `http.batch` keeps several requests in flight (up to batchPerHost,
 * as k6 does). Why not undici here: a VU makes one request at a time, so undici's Agent → Pool → Client layers
 * and its per-request header serialisation were most of a k6 request's CPU (26.5 % in writing request headers
 * alone) and several kB of every VU's memory. https:// stays on undici (http-client.ts): TLS, ALPN and its
 * certificate options are what a generic client is for.
 */

/** A k6-mode request: its bytes, plus what the connection needs to read the response back. */
export interface K6WireRequest extends EncodedRequest {
  readonly idempotent: boolean;
}

interface Pooled {
  conn: Http1Connection;
  /** Responses this connection has delivered: a failure on a reused one may be the server's idle close. */
  served: number;
  /** performance.now() by which the request in flight must be answered (0: none in flight). */
  deadline: number;
  /** The connection's one timeout timer, armed for `timerAt`, rarely firing (see `arm`). */
  timer: NodeJS.Timeout | null;
  timerAt: number;
}

const pooled = (conn: Http1Connection): Pooled => ({ conn, served: 0, deadline: 0, timer: null, timerAt: 0 });

export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

const NO_TIMEOUT = 0;

export class VuConnections {
  private readonly byOrigin = new Map<string, Pooled[]>();
  private closed = false;

  constructor(private readonly perHost: number) {}

  /**
   * Sends `req` and resolves with its timing, headers and body; rejects on a connection error or after
   * `timeoutMs` (0: no limit). A request that fails on a kept-alive connection before any response byte is
   * sent once more on a fresh one when it is idempotent — the server may have closed the idle connection just
   * as it was written (Go's client, so k6, does the same).
   */
  send(req: K6WireRequest, timeoutMs: number, reuse: boolean): Promise<ResponseTiming> {
    if (this.closed) return Promise.reject(new Error('the VU has stopped'));
    return new Promise((resolve, reject) => {
      const attempt = (retry: boolean): void => {
        const p = reuse ? this.pick(req) : pooled(this.open(req));
        const reused = p.served > 0;
        // Alone on its connection (the common case) the request shares the connection's lazy timer; behind
        // others (http.batch beyond batchPerHost) it keeps a timer of its own.
        const alone = p.conn.busy === 0;
        let timer: NodeJS.Timeout | undefined;
        if (timeoutMs > NO_TIMEOUT) {
          if (alone) arm(p, timeoutMs);
          else {
            timer = setTimeout(() => p.conn.fail(new RequestTimeoutError('request timeout')), timeoutMs);
            timer.unref();
          }
        }
        p.conn.send(req, (err, timing) => {
          if (timer) clearTimeout(timer);
          if (alone) p.deadline = 0;
          if (!reuse) {
            p.conn.close();
            if (p.timer) clearTimeout(p.timer);
          }
          if (err || !timing) {
            if (retry && reused && req.idempotent && !(err instanceof RequestTimeoutError) && !this.closed)
              return attempt(false);
            return reject(err ?? new Error('no response'));
          }
          p.served++;
          resolve(timing);
        });
      };
      attempt(true);
    });
  }

  /** An idle connection to the request's origin, else a new one up to perHost, else the least busy. */
  private pick(req: EncodedRequest): Pooled {
    const key = req.origin;
    let pool = this.byOrigin.get(key);
    if (!pool) this.byOrigin.set(key, (pool = []));
    let least: Pooled | undefined;
    for (const p of pool) {
      if (p.conn.busy === 0) return p;
      if (!least || p.conn.busy < least.conn.busy) least = p;
    }
    if (least && pool.length >= this.perHost) return least;
    const p = pooled(this.open(req));
    pool.push(p);
    return p;
  }

  private open(req: EncodedRequest): Http1Connection {
    return new Http1Connection(req.host, req.port, { timeoutMs: NO_TIMEOUT, pipelining: 1 });
  }

  close(): void {
    this.closed = true;
    for (const pool of this.byOrigin.values())
      for (const p of pool) {
        p.conn.close();
        if (p.timer) clearTimeout(p.timer);
      }
    this.byOrigin.clear();
  }
}

/**
 * Times out the connection's request at `deadline` without a timer per request: a timer armed once keeps
 * firing late or not at all for requests far shorter than the timeout (60 s by default), and when it fires it
 * re-arms for what is left of the current request's time, or fails the connection. Creating, inserting and
 * clearing a Timeout per request was ~2 % of a k6 request's CPU.
 */
function arm(p: Pooled, timeoutMs: number): void {
  const deadline = performance.now() + timeoutMs;
  p.deadline = deadline;
  if (p.timer && p.timerAt <= deadline) return;
  if (p.timer) clearTimeout(p.timer);
  p.timerAt = deadline;
  p.timer = setTimeout(onTimer, timeoutMs, p);
  p.timer.unref();
}

function onTimer(p: Pooled): void {
  p.timer = null;
  if (p.deadline === 0) return;
  const left = p.deadline - performance.now();
  if (left > 0) {
    p.timerAt = p.deadline;
    p.timer = setTimeout(onTimer, left, p);
    p.timer.unref();
  } else {
    p.deadline = 0;
    p.conn.fail(new RequestTimeoutError('request timeout'));
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** Go's client sends `Content-Length: 0` for these without a body; nginx answers 411 to a POST without one. */
const WANTS_LENGTH = new Set(['POST', 'PUT', 'PATCH']);

/**
 * A k6 request as HTTP/1.1 bytes: Host first (unless the script set one), the script's headers as given (k6
 * sends names as written), Content-Length for a body. Built per request — cookies and headers vary — into
 * one string and one Buffer, written with a single socket write. UTF-8, as Go writes header strings.
 */
export function encodeK6Request(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer | undefined,
  o: { captureBody: boolean },
): K6WireRequest {
  const to = targetOf(url);
  let head = '';
  let host = to.hostHeader;
  let hasLength = false;
  for (const k in headers) {
    const v = headers[k];
    if (!validNames.has(k)) {
      if (!TOKEN.test(k)) throw new Error(`net/http: invalid header field name ${JSON.stringify(k)}`);
      if (validNames.size < 1000) validNames.add(k);
    }
    if (BAD_VALUE.test(v)) throw new Error(`net/http: invalid header field value for ${JSON.stringify(k)}`);
    const lower = k.length === 4 || k.length === 14 ? k.toLowerCase() : '';
    if (lower === 'host') {
      host = v;
      continue;
    }
    if (lower === 'content-length') hasLength = true;
    head += `${k}: ${v}\r\n`;
  }
  if (!hasLength && (body ? true : WANTS_LENGTH.has(method))) head += `Content-Length: ${body?.length ?? 0}\r\n`;
  const text = `${method} ${to.path} HTTP/1.1\r\nHost: ${host}\r\n${head}\r\n`;
  const bytes = body?.length ? Buffer.concat([Buffer.from(text), body]) : Buffer.from(text);
  return {
    method,
    host: to.host,
    port: to.port,
    path: to.path,
    bytes,
    expectsBody: method !== 'HEAD',
    captureBody: o.captureBody,
    captureHeaders: true,
    origin: to.origin,
    headers,
    body,
    idempotent: IDEMPOTENT.has(method),
  };
}

/** Header names already checked (they repeat request after request). */
const validNames = new Set<string>();

interface Target {
  host: string;
  port: number;
  path: string;
  hostHeader: string;
  origin: string;
}

/** What a request needs of its URL, read once per URL object (http-client.ts reuses them per URL string). */
const targets = new WeakMap<URL, Target>();

function targetOf(url: URL): Target {
  let t = targets.get(url);
  if (!t) {
    t = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : 80,
      path: url.pathname + url.search,
      hostHeader: url.host,
      origin: url.origin,
    };
    targets.set(url, t);
  }
  return t;
}
