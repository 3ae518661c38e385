import { createHash, randomBytes } from 'node:crypto';
import { parseDuration } from '../duration.js';
import type { Tags } from '../../core/metric.js';
import { config, cur, type K6Vu } from './runtime.js';
import { canonicalHeader, K6Response, type K6ResponseCookie } from './response.js';
import { encodeBody, toArrayBuffer, type K6Body } from './http-body.js';
import { CookieJar } from './cookie-jar.js';
import { exchangeWire } from './http-exchange.js';

/**
 * k6's HTTP behaviour on perfloop's HTTP/1.1 client (http://) and undici (https://): redirects followed (each hop recorded, as k6 does), cookies per VU, basic and
 * digest auth, `params.timeout`, k6's error names and codes, and timings split the way k6 splits them
 * (http_req_duration = sending + waiting + receiving; blocked/connecting/tls_handshaking apart). Each VU has
 * its own connection pool, as in k6, so connect time belongs to the VU's own request.
 */

export interface K6Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  redirects?: number;
  cookies?: Record<string, string | { value: string; replace?: boolean }>;
  auth?: 'basic' | 'digest' | 'ntlm';
  responseType?: 'text' | 'binary' | 'none';
  jar?: CookieJar;
  /** Which statuses are expected (not http_req_failed) for this request; null: every response is. */
  responseCallback?: ResponseCallback | null;
  compression?: string;
}

/** k6's expected-status matcher (`http.expectedStatuses(200, { min: 300, max: 399 })`). */
export interface ResponseCallback {
  match(status: number): boolean;
}

export function expectedStatuses(...ranges: (number | { min: number; max: number })[]): ResponseCallback {
  for (const r of ranges)
    if (typeof r !== 'number' && !(typeof r?.min === 'number' && typeof r?.max === 'number'))
      throw new Error(`expectedStatuses: expected status codes or { min, max } ranges, got ${JSON.stringify(r)}`);
  return {
    match: (status: number) =>
      ranges.some((r) => (typeof r === 'number' ? r === status : status >= r.min && status <= r.max)),
  };
}

/**
 * The test's response callback (`http.setResponseCallback`), k6's default being 200–399. Module state, as in
 * k6 where every VU's init context sets the same one; `undefined` keeps perfloop's built-in rule (fast path).
 * null (k6: "don't emit http_req_failed") counts every response as expected; a request with no response
 * is always failed.
 */
let responseCallback: ResponseCallback | null | undefined;
export function setResponseCallback(cb: ResponseCallback | null): void {
  if (cb !== null && typeof cb?.match !== 'function')
    throw new Error('setResponseCallback: expected http.expectedStatuses(…) or null');
  responseCallback = cb;
}

function expectedOf(status: number, params: K6Params): boolean | undefined {
  const cb = params.responseCallback !== undefined ? params.responseCallback : responseCallback;
  if (cb === undefined) return undefined;
  return status !== 0 && (cb === null || cb.match(status));
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect',
  308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
}; // prettier-ignore

interface Hop {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  timings: K6Response['timings'];
  error: string;
  errorCode: number;
  bytesOut: number;
}

let undici: Promise<typeof import('./http-undici.js')> | undefined;
const undiciTransport = () => (undici ??= import('./http-undici.js'));

/** One request on the wire, measured, recorded, its cookies stored. */
async function sendOnce(
  vu: K6Vu,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer | undefined,
  timeoutMs: number,
  tags: Tags,
  jar: CookieJar,
  params: K6Params,
): Promise<Hop> {
  const cookie = jar.headerFor(url);
  const sendHeaders = cookie && !('Cookie' in headers) ? { ...headers, Cookie: cookie } : headers;
  const lateMs = vu.lateMs;
  vu.lateMs = 0;
  const captureBody =
    (params.responseType ?? (config?.discardResponseBodies ? 'none' : 'text')) !== 'none' ||
    config?.httpDebug === 'full';
  const x =
    factsOf(url).plain
      ? await exchangeWire(vu, method, url, sendHeaders, body, timeoutMs, captureBody)
      : await (await undiciTransport()).exchangeUndici(vu, method, url, sendHeaders, body, timeoutMs);
  const end = performance.now();
  const { status, timings } = x;
  const setCookie = x.headers['set-cookie'];
  if (setCookie) for (const c of Array.isArray(setCookie) ? setCookie : [setCookie]) jar.setFromHeader(url, c);
  const rec = config?.recorder();
  if (rec && !vu.closed) {
    rec.recordTagged(
      tags,
      {
        request: 0,
        method,
        status,
        durationMs: timings.duration + lateMs,
        uncorrectedMs: timings.duration,
        blockedMs: timings.blocked,
        connectingMs: timings.connecting,
        sendingMs: factsOf(url).plain ? timings.sending : undefined,
        waitingMs: timings.waiting,
        receivingMs: timings.receiving,
        bytesIn: x.bytesIn,
        bytesOut: x.bytesOut,
        expected: expectedOf(status, params),
      },
      end,
    );
  }
  if (config?.httpDebug) debugPrint(method, url, sendHeaders, status, x.headers, x.body, config.httpDebug);
  return {
    status,
    headers: x.headers,
    body: x.body,
    timings,
    error: x.failure?.error ?? '',
    errorCode: x.failure?.code ?? (status >= 400 ? 1000 + status : 0),
    bytesOut: x.bytesOut,
  };
}

/** Closes the VU's connections (both transports). */
export async function closeVuHttp(vu: K6Vu): Promise<void> {
  vu.conns?.close();
  vu.conns = null;
  const d = vu.dispatcher;
  vu.dispatcher = null;
  await d?.destroy().catch(() => {});
}

function debugPrint(
  method: string,
  url: URL,
  headers: Record<string, string>,
  status: number,
  resHeaders: Record<string, string | string[] | undefined>,
  body: Buffer,
  mode: 'headers' | 'full',
): void {
  const lines = [`Request:\n${method} ${url.pathname}${url.search} HTTP/1.1\nHost: ${url.host}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push(`\nResponse:\nHTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}`);
  for (const [k, v] of Object.entries(resHeaders)) lines.push(`${canonicalHeader(k)}: ${String(v)}`);
  if (mode === 'full') lines.push('', body.toString('utf8'));
  process.stderr.write(lines.join('\n') + '\n');
}

function digestHeader(challenge: string, user: string, pass: string, method: string, uri: string): string {
  const f: Record<string, string> = {};
  for (const m of challenge.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) f[m[1].toLowerCase()] = m[2] ?? m[3];
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const ha1 = md5(`${user}:${f.realm}:${pass}`);
  const ha2 = md5(`${method}:${uri}`);
  const qop = f.qop?.split(',').map((s) => s.trim()).includes('auth') ? 'auth' : undefined;
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = qop ? md5(`${ha1}:${f.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${f.nonce}:${ha2}`);
  let h = `Digest username="${user}", realm="${f.realm}", nonce="${f.nonce}", uri="${uri}", response="${response}"`;
  if (f.algorithm) h += `, algorithm=${f.algorithm}`;
  if (qop) h += `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
  if (f.opaque) h += `, opaque="${f.opaque}"`;
  return h;
}

const timeoutOf = (t: string | number | undefined, fallback: number): number => {
  if (t === undefined) return fallback;
  if (typeof t === 'number') return t;
  return parseDuration(t) ?? fallback;
};

function parseResponseCookies(url: URL, header: string | string[] | undefined): Record<string, K6ResponseCookie[]> {
  const out: Record<string, K6ResponseCookie[]> = {};
  for (const h of header === undefined ? [] : Array.isArray(header) ? header : [header]) {
    const [pair, ...attrs] = h.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const c: K6ResponseCookie = {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      domain: '',
      path: '',
      http_only: false,
      secure: false,
      max_age: 0,
      expires: 0,
    };
    for (const a of attrs) {
      const [k, v = ''] = a.split('=').map((s) => s.trim());
      const key = k.toLowerCase();
      if (key === 'domain') c.domain = v;
      else if (key === 'path') c.path = v;
      else if (key === 'httponly') c.http_only = true;
      else if (key === 'secure') c.secure = true;
      else if (key === 'max-age') c.max_age = Number(v);
      else if (key === 'expires') c.expires = Date.parse(v) || 0;
    }
    void url;
    (out[c.name] ??= []).push(c);
  }
  return out;
}

/**
 * Parsed request URLs, credentials taken out: a script requests the same few URLs again and again, and
 * parsing one (and taking its user:pass out, which re-serialises it) was ~3 % of a request's CPU. The URL
 * objects are shared, so nothing may change them (redirects make new ones).
 */
const parsedUrls = new Map<string, { url: URL; user: string; pass: string }>();

function parseUrl(raw: string): { url: URL; user: string; pass: string } {
  let p = parsedUrls.get(raw);
  if (p) return p;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`invalid URL ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`unsupported protocol scheme "${url.protocol.replace(':', '')}" in ${raw}`);
  p = { url, user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
  }
  if (parsedUrls.size < 1000) parsedUrls.set(raw, p);
  return p;
}

export interface K6Url {
  url: string;
  name: string;
}

/** k6's `http.request(method, url, body, params)`: the whole exchange, redirects and auth included. */
export async function k6Request(
  methodIn: string,
  urlIn: string | K6Url | URL,
  body: K6Body,
  params: K6Params = {},
): Promise<K6Response> {
  const vu = cur;
  if (!vu || !config) throw new Error('HTTP requests can only be made in VU code (setup, default, teardown), not the init context');
  let method = String(methodIn).toUpperCase();
  const rawUrl = typeof urlIn === 'object' && urlIn !== null && 'name' in urlIn ? urlIn.url : String(urlIn);
  const templateName = typeof urlIn === 'object' && urlIn !== null && 'name' in urlIn ? urlIn.name : undefined;
  const parsed = parseUrl(rawUrl);
  let url = parsed.url;
  const { user, pass } = parsed;
  const headers: Record<string, string> = {};
  if (config.userAgent) headers['User-Agent'] = config.userAgent;
  const encoded = encodeBody(body);
  if (encoded.contentType) headers['Content-Type'] = encoded.contentType;
  for (const [k, v] of Object.entries(params.headers ?? {})) {
    for (const have of Object.keys(headers)) if (have.toLowerCase() === k.toLowerCase()) delete headers[have];
    headers[k] = String(v);
  }
  // As Go's client: the request says so, and the connection is closed after its response (http1-pool.ts).
  if (config.noConnectionReuse) headers.Connection = 'close';
  if (user && params.auth !== 'digest')
    headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  const jar = params.jar ?? vu.jar;
  const cookieHeader = Object.entries(params.cookies ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'object' ? v.value : v}`)
    .join('; ');
  if (cookieHeader) {
    const fromJar = jar.headerFor(url);
    headers.Cookie = fromJar ? `${fromJar}; ${cookieHeader}` : cookieHeader;
  }
  const timeoutMs = timeoutOf(params.timeout, config.timeoutMs);
  let redirectsLeft = params.redirects ?? config.maxRedirects;
  let payload = encoded.body;
  const tagsFor = (u: URL): Tags => {
    const s = factsOf(u).href;
    const key = params.tags ? '' : `${method} ${s} ${vu.group} ${templateName ?? ''}`;
    let t = key ? vu.tagCache.get(key) : undefined;
    if (!t) {
      t = {
        ...vu.scenarioTags,
        ...vu.tags,
        scenario: vu.scenario,
        group: vu.group,
        name: templateName ?? s,
        url: s,
        method,
        proto: 'HTTP/1.1',
        ...(params.tags ?? {}),
      };
      if (key && vu.tagCache.size < 256) vu.tagCache.set(key, t);
    }
    return t;
  };
  let hop = await sendOnce(vu, method, url, headers, payload, timeoutMs, tagsFor(url), jar, params);
  if (hop.status === 401 && params.auth === 'digest' && user) {
    const challenge = String(hop.headers['www-authenticate'] ?? '');
    if (/^digest/i.test(challenge)) {
      const auth = digestHeader(challenge, user, pass, method, url.pathname + url.search);
      hop = await sendOnce(vu, method, url, { ...headers, Authorization: auth }, payload, timeoutMs, tagsFor(url), jar, params);
    }
  }
  while (hop.status >= 300 && hop.status < 400 && hop.headers.location && redirectsLeft > 0) {
    redirectsLeft--;
    url = new URL(String(hop.headers.location), url);
    if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method !== 'GET' && method !== 'HEAD')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET';
      payload = undefined;
      delete headers['Content-Type'];
    }
    delete headers.Cookie;
    if (cookieHeader) headers.Cookie = cookieHeader;
    hop = await sendOnce(vu, method, url, headers, payload, timeoutMs, tagsFor(url), jar, params);
  }
  return toResponse(hop, method, url, headers, encoded.text, params, jar);
}

/**
 * What requests and responses read of a URL, read once per URL object: the request URLs are shared per URL
 * string (parseUrl), and each WHATWG URL getter is a call into Node's URL internals — five or six of them per
 * request were measurable in a k6 request's CPU.
 */
interface UrlFacts {
  href: string;
  /** http:// (perfloop's HTTP/1.1 client), else https:// (undici). */
  plain: boolean;
  ip: string;
  port: number;
}
const urlFacts = new WeakMap<URL, UrlFacts>();
function factsOf(url: URL): UrlFacts {
  let f = urlFacts.get(url);
  if (!f) {
    const plain = url.protocol === 'http:';
    f = { href: url.href, plain, ip: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (plain ? 80 : 443)) };
    urlFacts.set(url, f);
  }
  return f;
}

const statusTexts = new Map<number, string>();
/** `res.status_text` as Go writes it ("200 OK"); '' without a response. */
function statusText(status: number): string {
  if (!status) return '';
  let t = statusTexts.get(status);
  if (t === undefined) {
    t = `${status} ${STATUS_TEXT[status] ?? ''}`.trim();
    if (statusTexts.size < 600) statusTexts.set(status, t);
  }
  return t;
}

/** `res.request.headers`: k6 gives each as a list under its canonical name. */
function requestHeaders(headers: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k in headers) out[canonicalHeader(k)] = [headers[k]];
  return out;
}

function toResponse(
  hop: Hop,
  method: string,
  url: URL,
  headers: Record<string, string>,
  bodyText: string,
  params: K6Params,
  jar: CookieJar,
): K6Response {
  const reqCookies: K6Response['request']['cookies'] = {};
  const f = factsOf(url);
  const href = f.href;
  if (!jar.empty)
    for (const [name, values] of Object.entries(jar.cookiesForURL(href)))
      reqCookies[name] = values.map((value) => ({ name, value, replace: false }));
  const r = new K6Response(hop.timings, {
    method,
    url: href,
    headers: requestHeaders(headers),
    body: bodyText,
    cookies: reqCookies,
  });
  r.status = hop.status;
  r.status_text = statusText(hop.status);
  r.proto = hop.status ? 'HTTP/1.1' : '';
  r.url = href;
  for (const k in hop.headers) {
    const v = hop.headers[k];
    if (v !== undefined) r.headers[canonicalHeader(k)] = Array.isArray(v) ? v.join(', ') : v;
  }
  const setCookie = hop.headers['set-cookie'];
  if (setCookie) r.cookies = parseResponseCookies(url, setCookie);
  const type = params.responseType ?? (config?.discardResponseBodies ? 'none' : 'text');
  r.body =
    type === 'none' || !hop.status
      ? type === 'none' ? null : ''
      : type === 'binary'
        ? toArrayBuffer(hop.body)
        : hop.body.toString('utf8');
  r.error = hop.error;
  r.error_code = hop.errorCode;
  r.remote_ip = hop.status ? f.ip : '';
  r.remote_port = hop.status ? f.port : 0;
  if (!f.plain && hop.status) r.tls_version = 'tls1.3';
  return r;
}
