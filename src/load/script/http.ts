import { Agent, request, type Dispatcher } from 'undici';
import type { Tags } from '../../core/metric.js';
import type { LoadRecorder } from '../recorder.js';

export interface HttpParams {
  headers?: Record<string, string>;
  /** Extra tags of this request's metrics; `name` groups dynamic URLs (`/users/{id}`) into one series. */
  tags?: Record<string, string>;
}

export interface HttpTimings {
  duration: number;
  blocked: number;
  connecting: number;
  sending: number;
  waiting: number;
  receiving: number;
}

/** A response as scripts see it (k6's field names). Transport errors give status 0 and `error`, no throw. */
export interface HttpResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  body: string;
  error: string;
  timings: HttpTimings;
  json(): unknown;
}

export type HttpBody = string | Buffer | Record<string, unknown> | unknown[] | undefined;

/** Per-VU state the HTTP client reads: tags and the lateness still owed to the iteration's first request. */
export interface HttpVuState {
  scenario: string;
  scenarioTags: Record<string, string>;
  group: string;
  /** Coordinated-omission correction: added to the duration of the iteration's first request only. */
  lateMs: number;
  closed: boolean;
}

export interface HttpEnv {
  dispatcher: Dispatcher;
  recorder(): LoadRecorder;
}

export function scriptAgent(o: { http2: boolean; insecure: boolean; timeoutMs: number }): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    allowH2: o.http2,
    connect: { rejectUnauthorized: !o.insecure },
  });
}

const headerBytes = (h: Record<string, string | string[] | undefined>) =>
  Object.entries(h).reduce((n, [k, v]) => n + k.length + String(v ?? '').length + 4, 17);

/**
 * `ctx.http` for scripts, through undici (scripts need headers and bodies, and their VUs are rarely the
 * bottleneck; quick mode keeps the lean socket loop). Each request is recorded with k6's metrics and tags.
 */
export class ScriptHttp {
  constructor(
    private readonly vu: HttpVuState,
    private readonly env: HttpEnv,
  ) {}

  get(url: string, params?: HttpParams): Promise<HttpResponse> {
    return this.request('GET', url, undefined, params);
  }
  head(url: string, params?: HttpParams): Promise<HttpResponse> {
    return this.request('HEAD', url, undefined, params);
  }
  post(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    return this.request('POST', url, body, params);
  }
  put(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    return this.request('PUT', url, body, params);
  }
  patch(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    return this.request('PATCH', url, body, params);
  }
  del(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    return this.request('DELETE', url, body, params);
  }

  async request(
    method: string,
    url: string,
    body?: HttpBody,
    params: HttpParams = {},
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': 'perfloop', ...(params.headers ?? {}) };
    let payload: string | Buffer | undefined;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
    else {
      payload = JSON.stringify(body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
    }
    const lateMs = this.vu.lateMs;
    this.vu.lateMs = 0;
    const m = method.toUpperCase();
    const started = performance.now();
    let status = 0;
    let error = '';
    let text = '';
    let resHeaders: Record<string, string> = {};
    let headersAt = started;
    let bytesIn = 0;
    try {
      const res = await request(url, {
        dispatcher: this.env.dispatcher,
        method: m as Dispatcher.HttpMethod,
        headers,
        body: payload,
      });
      headersAt = performance.now();
      status = res.statusCode;
      resHeaders = Object.fromEntries(
        Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]),
      );
      const buf = Buffer.from(await res.body.arrayBuffer());
      text = buf.toString('utf8');
      bytesIn = buf.length + headerBytes(res.headers);
    } catch (e) {
      error = (e as Error).message;
    }
    const now = performance.now();
    const uncorrected = now - started;
    const timings: HttpTimings = {
      duration: uncorrected + lateMs,
      blocked: 0,
      connecting: 0,
      sending: 0,
      waiting: status ? headersAt - started : 0,
      receiving: status ? now - headersAt : 0,
    };
    if (!this.vu.closed) {
      const tags: Tags = {
        ...this.vu.scenarioTags,
        name: params.tags?.name ?? url,
        method: m,
        scenario: this.vu.scenario,
        group: this.vu.group,
        ...(params.tags ?? {}),
      };
      this.env.recorder().recordTagged(
        tags,
        {
          request: 0,
          method: m,
          status,
          durationMs: timings.duration,
          uncorrectedMs: uncorrected,
          connectingMs: 0,
          waitingMs: timings.waiting,
          receivingMs: timings.receiving,
          bytesIn,
          bytesOut: (payload?.length ?? 0) + headerBytes(headers) + url.length,
        },
        now,
      );
    }
    return {
      status,
      url,
      headers: resHeaders,
      body: text,
      error,
      timings,
      json: () => JSON.parse(text) as unknown,
    };
  }
}
