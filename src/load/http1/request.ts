/**
 * HTTP/1.1 requests encoded once into bytes (RFC 9112 §3): the load loop writes the same Buffer again and again
 * instead of re-serialising headers per request, which is most of what a generic client spends per request.
 */
export interface RequestSpec {
  method: string;
  /** Absolute http:// (or https:// for the undici transport) URL. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Keep the response body (checks on it). */
  captureBody?: boolean;
}

export interface EncodedRequest {
  readonly method: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly bytes: Buffer;
  /** HEAD responses carry no body whatever their Content-Length says. */
  readonly expectsBody: boolean;
  readonly captureBody: boolean;
  /** Keep the response's headers (k6 scripts); unset in URL mode. */
  readonly captureHeaders?: boolean;
  /** `http://host:port` or `https://…`: transports other than the HTTP/1.1 fast path use these fields. */
  readonly origin: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function encodeRequest(spec: RequestSpec): EncodedRequest {
  const url = new URL(spec.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`only http:// and https:// URLs can be loaded, got ${url.protocol}`);
  const method = spec.method.toUpperCase();
  if (!TOKEN.test(method)) throw new Error(`invalid HTTP method ${JSON.stringify(spec.method)}`);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const path = `${url.pathname}${url.search}`;
  const body =
    spec.body === undefined ? undefined : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body);
  const headers: [string, string][] = [];
  const given = new Set<string>();
  for (const [k, v] of Object.entries(spec.headers ?? {})) {
    if (!TOKEN.test(k) || /[\r\n]/.test(v)) throw new Error(`invalid header ${JSON.stringify(k)}`);
    headers.push([k, v]);
    given.add(k.toLowerCase());
  }
  if (!given.has('host')) headers.unshift(['Host', url.host]);
  if (!given.has('user-agent')) headers.push(['User-Agent', 'perfloop']);
  if (body && !given.has('content-length')) headers.push(['Content-Length', String(body.length)]);
  const head = `${method} ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  const bytes = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
  return {
    method,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    path,
    bytes,
    expectsBody: method !== 'HEAD',
    captureBody: spec.captureBody ?? false,
    origin: url.origin,
    headers: spec.headers ?? {},
    body,
  };
}
