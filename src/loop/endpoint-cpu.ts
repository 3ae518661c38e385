import type { EndpointSummary } from '../core/run.js';
import type { CapturedRequest } from '../agent/protocol.js';
import type { RequestTemplate } from '../load/scenario.js';
import { templatePathname } from '../load/url-template.js';

/** What the agent charged to requests, per endpoint, beside what stayed outside any endpoint. */
export interface EndpointCpu {
  endpoints: EndpointSummary[];
  /** CPU ms charged to all timed requests of the window (matched to an endpoint or not). */
  totalMs: number;
  /** Timed requests the agent saw whose method and path match no endpoint of the load. */
  unmatched: number;
}

interface Matcher {
  endpoint: string;
  method: string;
  /** Exact path, or a pattern when the template had `{{seq}}`/`{{rand:N}}` placeholders. */
  path: string | RegExp;
}

const PLACEHOLDER = /\{\{\s*(?:seq|rand:\d+)\s*\}\}/g;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The path part of a template URL, taken from the raw text (new URL() would percent-encode the braces). */
function rawPath(url: string): string {
  const noOrigin = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const path = noOrigin.split(/[?#]/)[0] ?? '';
  return path === '' ? '/' : path;
}

function pathMatcher(path: string): string | RegExp {
  PLACEHOLDER.lastIndex = 0;
  if (!PLACEHOLDER.test(path)) return path;
  const parts = path.split(PLACEHOLDER).map(escapeRe);
  return new RegExp(`^${parts.join('[^/]*')}$`);
}

/** An endpoint named `METHOD /path` (perfloop's default) or by a full URL (k6's default name). */
function matcherOfName(name: string): Matcher | null {
  const m = /^([A-Z]+) (\/\S*)$/.exec(name);
  if (m) return { endpoint: name, method: m[1], path: pathMatcher(rawPath(m[2])) };
  if (/^https?:\/\//i.test(name)) return { endpoint: name, method: 'GET', path: pathMatcher(rawPath(name)) };
  return null;
}

/** The load's own default name of a request (RequestMix): `METHOD pathname`, placeholders as written. */
function defaultName(method: string, url: string): string | null {
  try {
    return `${method} ${templatePathname(url)}`;
  } catch {
    return null;
  }
}

function matchers(endpoints: readonly EndpointSummary[], templates: readonly RequestTemplate[]): Matcher[] {
  const out: Matcher[] = [];
  const names = new Set(endpoints.map((e) => e.name));
  for (const t of templates) {
    const method = (t.method ?? 'GET').toUpperCase();
    const path = rawPath(t.url);
    const name = t.name ?? defaultName(method, t.url);
    if (name !== null && names.has(name)) out.push({ endpoint: name, method, path: pathMatcher(path) });
  }
  for (const e of endpoints) {
    if (out.some((m) => m.endpoint === e.name)) continue;
    const m = matcherOfName(e.name);
    if (m) out.push(m);
  }
  // Exact paths first: `/posts/1` must not be taken by a `/posts/{{rand:9}}` pattern listed before it.
  return out.sort((a, b) => Number(typeof a.path !== 'string') - Number(typeof b.path !== 'string'));
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Joins the agent's per-request CPU (CapturedRequest.cpuMs, RequestCpuClock) to the load's endpoints by method
 * and path: `cpuMsPerRequest` is the mean over the endpoint's timed requests (`cpuTimedRequests` of them: the agent
 * times the requests of its duty cycle's windows), `cpuShare` its part of all CPU charged to requests. Endpoints stay as they were when the agent timed nothing (not Node, or attribution off).
 */
export function endpointCpu(
  endpoints: readonly EndpointSummary[],
  requests: readonly CapturedRequest[],
  templates: readonly RequestTemplate[],
): EndpointCpu {
  const timed = requests.filter((r) => typeof r.cpuMs === 'number' && Number.isFinite(r.cpuMs));
  const totalMs = timed.reduce((s, r) => s + r.cpuMs!, 0);
  if (timed.length === 0 || !(totalMs > 0)) return { endpoints: [...endpoints], totalMs: 0, unmatched: 0 };
  const ms = matchers(endpoints, templates);
  const sums = new Map<string, { ms: number; n: number }>();
  let unmatched = 0;
  for (const r of timed) {
    const method = r.method.toUpperCase();
    const path = rawPath(r.url);
    const m = ms.find(
      (x) => x.method === method && (typeof x.path === 'string' ? x.path === path : x.path.test(path)),
    );
    if (!m) {
      unmatched++;
      continue;
    }
    const s = sums.get(m.endpoint) ?? { ms: 0, n: 0 };
    s.ms += r.cpuMs!;
    s.n++;
    sums.set(m.endpoint, s);
  }
  return {
    endpoints: endpoints.map((e) => {
      const s = sums.get(e.name);
      if (!s || s.n === 0) return { ...e };
      return {
        ...e,
        cpuMsPerRequest: r3(s.ms / s.n),
        cpuShare: r1((100 * s.ms) / totalMs),
        cpuTimedRequests: s.n,
      };
    }),
    totalMs: r3(totalMs),
    unmatched,
  };
}
