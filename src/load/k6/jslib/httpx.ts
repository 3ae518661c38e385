/**
 * jslib.k6.io/httpx: a session over k6/http with a base URL and default headers, params, tags and timeout.
 * Its methods make requests, so the transform awaits calls on `new Httpx(…)` objects (transform-analysis.ts).
 */
import type { K6Body } from '../http-body.js';
import { k6Request, type K6Params } from '../http-client.js';

interface HttpxOptions {
  baseURL?: string;
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: number | string;
  cookies?: Record<string, string>;
}

export class Httpx {
  private baseURL: string;
  private headers: Record<string, string>;
  private tags: Record<string, string>;
  private timeout: number | string | undefined;

  constructor(o: HttpxOptions = {}) {
    this.baseURL = o.baseURL ?? '';
    this.headers = { ...(o.headers ?? {}) };
    this.tags = { ...(o.tags ?? {}) };
    this.timeout = o.timeout;
  }

  setBaseUrl(url: string): void {
    this.baseURL = url;
  }
  addHeader(k: string, v: string): void {
    this.headers[k] = v;
  }
  addHeaders(h: Record<string, string>): void {
    Object.assign(this.headers, h);
  }
  clearHeader(k: string): void {
    delete this.headers[k];
  }
  addTag(k: string, v: string): void {
    this.tags[k] = v;
  }
  addTags(t: Record<string, string>): void {
    Object.assign(this.tags, t);
  }
  clearTag(k: string): void {
    delete this.tags[k];
  }

  request(method: string, url: string, body?: K6Body, params: K6Params = {}) {
    const full = /^https?:\/\//.test(url) ? url : this.baseURL + url;
    return k6Request(method, full, body ?? null, {
      ...params,
      timeout: params.timeout ?? this.timeout,
      headers: { ...this.headers, ...(params.headers ?? {}) },
      tags: { ...this.tags, ...(params.tags ?? {}) },
    });
  }
  get(url: string, body?: K6Body, params?: K6Params) {
    return this.request('GET', url, body, params);
  }
  post(url: string, body?: K6Body, params?: K6Params) {
    return this.request('POST', url, body, params);
  }
  put(url: string, body?: K6Body, params?: K6Params) {
    return this.request('PUT', url, body, params);
  }
  patch(url: string, body?: K6Body, params?: K6Params) {
    return this.request('PATCH', url, body, params);
  }
  delete(url: string, body?: K6Body, params?: K6Params) {
    return this.request('DELETE', url, body, params);
  }
  head(url: string, params?: K6Params) {
    return this.request('HEAD', url, null, params);
  }
  options(url: string, body?: K6Body, params?: K6Params) {
    return this.request('OPTIONS', url, body, params);
  }
}

export default { Httpx };
