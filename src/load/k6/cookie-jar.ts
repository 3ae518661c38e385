/**
 * A VU's cookie jar (RFC 6265 §5: Set-Cookie parsing, domain and path matching, expiry), with k6's
 * `http.CookieJar` methods. Written here rather than taken from tough-cookie: a VU's jar holds a handful of
 * cookies and is consulted on every request of thousands of VUs, so it must be a few plain objects, not a
 * store with a public-suffix list.
 */
interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  /** epoch ms; Infinity for a session cookie */
  expires: number;
  secure: boolean;
}

export interface CookieOptions {
  domain?: string;
  path?: string;
  expires?: string;
  max_age?: number;
  secure?: boolean;
  http_only?: boolean;
}

const defaultPath = (u: URL) => {
  const p = u.pathname;
  if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
  return p.slice(0, p.lastIndexOf('/'));
};

const domainMatches = (host: string, c: StoredCookie) =>
  c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`);

const pathMatches = (path: string, cookiePath: string) =>
  path === cookiePath ||
  (path.startsWith(cookiePath) && (cookiePath.endsWith('/') || path[cookiePath.length] === '/'));

export class CookieJar {
  private cookies: StoredCookie[] = [];

  /** Stores one `Set-Cookie` header value received from `url`. */
  setFromHeader(url: URL, header: string): void {
    const [pair, ...attrs] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const c: StoredCookie = {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      domain: url.hostname,
      hostOnly: true,
      path: defaultPath(url),
      expires: Infinity,
      secure: false,
    };
    let maxAge: number | undefined;
    for (const a of attrs) {
      const i = a.indexOf('=');
      const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
      const v = i < 0 ? '' : a.slice(i + 1).trim();
      if (k === 'domain' && v) {
        const d = v.replace(/^\./, '').toLowerCase();
        // A server may only set cookies for its own domain or a parent of it.
        if (url.hostname !== d && !url.hostname.endsWith(`.${d}`)) return;
        c.domain = d;
        c.hostOnly = false;
      } else if (k === 'path' && v.startsWith('/')) c.path = v;
      else if (k === 'max-age' && /^-?\d+$/.test(v)) maxAge = Number(v);
      else if (k === 'expires') {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) c.expires = t;
      } else if (k === 'secure') c.secure = true;
    }
    if (maxAge !== undefined) c.expires = maxAge <= 0 ? 0 : Date.now() + maxAge * 1000;
    this.store(c);
  }

  private store(c: StoredCookie): void {
    this.cookies = this.cookies.filter(
      (o) => !(o.name === c.name && o.domain === c.domain && o.path === c.path),
    );
    if (c.expires > Date.now()) this.cookies.push(c);
  }

  /** No cookie stored (most load scripts): callers skip the matching. */
  get empty(): boolean {
    return this.cookies.length === 0;
  }

  /** The `Cookie` header for a request to `url` ('' when none), longest paths first as RFC 6265 says. */
  headerFor(url: URL): string {
    if (this.cookies.length === 0) return '';
    return this.matching(url)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private matching(url: URL): StoredCookie[] {
    const now = Date.now();
    const host = url.hostname;
    const path = url.pathname || '/';
    return this.cookies
      .filter(
        (c) =>
          c.expires > now &&
          domainMatches(host, c) &&
          pathMatches(path, c.path) &&
          (!c.secure || url.protocol === 'https:'),
      )
      .sort((a, b) => b.path.length - a.path.length);
  }

  // k6's CookieJar API ------------------------------------------------------------------------------

  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.matching(new URL(url))) (out[c.name] ??= []).push(c.value);
    return out;
  }

  set(url: string, name: string, value: string, opts: CookieOptions = {}): void {
    const u = new URL(url);
    const c: StoredCookie = {
      name,
      value: String(value),
      domain: (opts.domain ?? u.hostname).replace(/^\./, ''),
      hostOnly: opts.domain === undefined,
      path: opts.path ?? '/',
      expires: Infinity,
      secure: opts.secure ?? false,
    };
    if (opts.expires) c.expires = Date.parse(opts.expires);
    if (opts.max_age !== undefined) c.expires = Date.now() + opts.max_age * 1000;
    this.store(c);
  }

  delete(url: string, name: string): void {
    const gone = new Set(this.matching(new URL(url)).filter((c) => c.name === name));
    this.cookies = this.cookies.filter((c) => !gone.has(c));
  }

  clear(url: string): void {
    const host = new URL(url).hostname;
    this.cookies = this.cookies.filter((c) => !domainMatches(host, c));
  }
}
