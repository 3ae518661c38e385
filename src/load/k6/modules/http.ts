/** k6/http (https://grafana.com/docs/k6/latest/javascript-api/k6-http/) on perfloop's engine. */
import { CookieJar } from '../cookie-jar.js';
import { k6File, type K6Body } from '../http-body.js';
import { expectedStatuses, k6Request, setResponseCallback, type K6Params, type K6Url } from '../http-client.js';
import { config, cur, enter } from '../runtime.js';
import type { K6Response } from '../response.js';

type Url = string | K6Url | URL;

export const request = (method: string, url: Url, body?: K6Body, params?: K6Params) =>
  k6Request(method, url, body, params);
export const get = (url: Url, params?: K6Params) => k6Request('GET', url, null, params);
export const head = (url: Url, params?: K6Params) => k6Request('HEAD', url, null, params);
export const post = (url: Url, body?: K6Body, params?: K6Params) => k6Request('POST', url, body, params);
export const put = (url: Url, body?: K6Body, params?: K6Params) => k6Request('PUT', url, body, params);
export const patch = (url: Url, body?: K6Body, params?: K6Params) => k6Request('PATCH', url, body, params);
export const del = (url: Url, body?: K6Body, params?: K6Params) => k6Request('DELETE', url, body, params);
export const options = (url: Url, body?: K6Body, params?: K6Params) => k6Request('OPTIONS', url, body, params);
/** Returns a promise (k6's asyncRequest): not awaited by the transform, the script awaits it itself. */
export const asyncRequest = (method: string, url: Url, body?: K6Body, params?: K6Params) =>
  k6Request(method, url, body, params);

type BatchItem =
  | string
  | K6Url
  | [string, Url, K6Body?, K6Params?]
  | { method?: string; url: Url; body?: K6Body; params?: K6Params };

function one(item: BatchItem): Promise<K6Response> {
  if (typeof item === 'string') return k6Request('GET', item, null);
  if (Array.isArray(item)) return k6Request(item[0], item[1], item[2] ?? null, item[3]);
  const o = item as { method?: string; url: Url; body?: K6Body; params?: K6Params; name?: string };
  if (o.name !== undefined && o.method === undefined) return k6Request('GET', item as K6Url, null);
  return k6Request(o.method ?? 'GET', o.url, o.body ?? null, o.params);
}

/**
 * Runs the requests concurrently (at most `batch` at once, `batchPerHost` connections per host through the
 * VU's pool) and returns the responses in the same shape: an array, or an object keyed like the input.
 */
export async function batch(
  requests: BatchItem[] | Record<string, BatchItem>,
): Promise<K6Response[] | Record<string, K6Response>> {
  const vu = cur;
  const entries: [string, BatchItem][] = Array.isArray(requests)
    ? requests.map((r, i) => [String(i), r])
    : Object.entries(requests);
  const limit = Math.max(1, config?.batch ?? 20);
  const out = new Map<string, K6Response>();
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const [k, item] = entries[next++];
      // Each request starts with this VU current: k6Request reads it synchronously.
      enter(vu);
      out.set(k, await one(item));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, entries.length) }, worker));
  enter(vu);
  if (Array.isArray(requests)) return entries.map(([k]) => out.get(k)!);
  return Object.fromEntries(entries.map(([k]) => [k, out.get(k)!]));
}

export const file = k6File;

/** The VU's own cookie jar (k6: one per VU). */
export function cookieJar(): CookieJar {
  if (!cur) throw new Error('http.cookieJar() can only be called in VU code');
  return cur.jar;
}
export { CookieJar };

/** `http.url\`${base}/items/${id}\``: the request's `name` tag is the template, so dynamic URLs share a series. */
export function url(strings: TemplateStringsArray, ...values: unknown[]): K6Url {
  let u = '';
  let name = '';
  strings.forEach((s, i) => {
    u += s;
    name += s;
    if (i < values.length) {
      u += String(values[i]);
      name += '${}';
    }
  });
  return { url: u, name, toString: () => u } as K6Url;
}

export { expectedStatuses, setResponseCallback } from '../http-client.js';

export const TLS_1_0 = 'tls1.0';
export const TLS_1_1 = 'tls1.1';
export const TLS_1_2 = 'tls1.2';
export const TLS_1_3 = 'tls1.3';
export const OCSP_STATUS_GOOD = 'good';
export const OCSP_STATUS_REVOKED = 'revoked';
export const OCSP_STATUS_UNKNOWN = 'unknown';

export default {
  request,
  get,
  head,
  post,
  put,
  patch,
  del,
  options,
  asyncRequest,
  batch,
  file,
  cookieJar,
  CookieJar,
  url,
  expectedStatuses,
  setResponseCallback,
  TLS_1_0,
  TLS_1_1,
  TLS_1_2,
  TLS_1_3,
  OCSP_STATUS_GOOD,
  OCSP_STATUS_REVOKED,
  OCSP_STATUS_UNKNOWN,
};
