import { createRequire } from 'node:module';

/** k6's `Response` (https://grafana.com/docs/k6/latest/javascript-api/k6-http/response/), field names as k6. */

export interface K6Timings {
  duration: number;
  blocked: number;
  looking_up: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
}

export interface K6ResponseCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

export interface K6RequestInfo {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: string;
  cookies: Record<string, { name: string; value: string; replace: boolean }[]>;
}

/** Go's textproto.CanonicalMIMEHeaderKey, which k6's `res.headers` keys follow: `content-type` → `Content-Type`. */
export function canonicalHeader(name: string): string {
  let c = canonical.get(name);
  if (c === undefined) {
    c = /^[A-Za-z0-9-]+$/.test(name)
      ? name.toLowerCase().replace(/(^|-)([a-z])/g, (_, d: string, x: string) => d + x.toUpperCase())
      : name;
    // Header names repeat request after request: remember a bounded number of them.
    if (canonical.size < 1000) canonical.set(name, c);
  }
  return c;
}
const canonical = new Map<string, string>();

export class K6Response {
  status = 0;
  status_text = '';
  proto = '';
  url = '';
  headers: Record<string, string> = {};
  cookies: Record<string, K6ResponseCookie[]> = {};
  body: string | ArrayBuffer | null = null;
  error = '';
  error_code = 0;
  remote_ip = '';
  remote_port = 0;
  tls_version = '';
  tls_cipher_suite = '';
  ocsp = { status: 'unknown' };
  private parsed: unknown;
  private parsedOk = false;

  /** The request's timings and what was sent, given by the client (not made here to be replaced at once). */
  constructor(
    public timings: K6Timings = {
      duration: 0,
      blocked: 0,
      looking_up: 0,
      connecting: 0,
      tls_handshaking: 0,
      sending: 0,
      waiting: 0,
      receiving: 0,
    },
    public request: K6RequestInfo = { method: '', url: '', headers: {}, body: '', cookies: {} },
  ) {}

  /** The body as JSON; with a selector, the value at a gjson-style path (`items.0.id`, `items.#`, `items.#.id`). */
  json(selector?: string): unknown {
    if (!this.parsedOk) {
      if (this.body === null) throw new Error('the body is null: nothing to parse (responseType "none"?)');
      const text = typeof this.body === 'string' ? this.body : Buffer.from(this.body).toString('utf8');
      try {
        this.parsed = JSON.parse(text);
      } catch (e) {
        throw new Error(`cannot parse the response body as JSON: ${(e as Error).message}`, { cause: e });
      }
      this.parsedOk = true;
    }
    return selector === undefined ? this.parsed : select(this.parsed, selector);
  }

  /** The body as an HTML document (k6/html's Selection). */
  html(selector?: string): unknown {
    const text = typeof this.body === 'string' ? this.body : Buffer.from(this.body ?? new ArrayBuffer(0)).toString();
    return htmlParser(text, selector);
  }
}

interface Selection {
  find(selector: string): Selection;
  length: number;
  size(): number;
}

/**
 * k6/html's document (`parseHTML`, `res.html()`): a jQuery-like Selection, which is what cheerio — a well-kept
 * HTML parser with jQuery's API, as k6's goquery is — gives; k6's extra `size()` is added. Loaded on first use
 * (synchronously: res.html() is synchronous), so scripts that never parse HTML do not pay for it.
 */
export function parseHTMLDoc(text: string): Selection {
  const { load } = createRequire(import.meta.url)('cheerio') as {
    load(t: string): { root(): Selection };
  };
  return withSize(load(text).root());
}

/** k6's Selection has `size()`; every cheerio selection gets it through their shared prototype. */
function withSize(s: Selection): Selection {
  const proto = Object.getPrototypeOf(s) as { size?: () => number };
  if (!proto.size)
    proto.size = function (this: Selection) {
      return this.length;
    };
  return s;
}

function htmlParser(text: string, selector?: string): unknown {
  const root = parseHTMLDoc(text);
  return selector ? root.find(selector) : root;
}

/** A subset of gjson's path syntax (what k6's `res.json(selector)` takes): keys, indexes, `#`, `#.key`, escapes. */
export function select(value: unknown, path: string): unknown {
  const parts: string[] = [];
  let part = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && i + 1 < path.length) part += path[++i];
    else if (ch === '.') {
      parts.push(part);
      part = '';
    } else part += ch;
  }
  parts.push(part);
  let v: unknown = value;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (v === null || v === undefined) return undefined;
    if (p === '#' && Array.isArray(v)) {
      if (i === parts.length - 1) return v.length;
      const rest = parts.slice(i + 1).map((s) => s.replace(/\./g, '\\.')).join('.');
      return v.map((x) => select(x, rest)).filter((x) => x !== undefined);
    }
    if (Array.isArray(v)) v = /^\d+$/.test(p) ? v[Number(p)] : undefined;
    else if (typeof v === 'object') {
      if (p.includes('*') || p.includes('?')) {
        const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
        const k = Object.keys(v as object).find((key) => re.test(key));
        v = k === undefined ? undefined : (v as Record<string, unknown>)[k];
      } else v = Object.prototype.hasOwnProperty.call(v, p) ? (v as Record<string, unknown>)[p] : undefined;
    } else return undefined;
  }
  return v;
}
