import { createHash } from 'node:crypto';
import type { ScenarioRef, ScenarioSpec } from '../core/run.js';
import type { RequestTemplate } from './scenario.js';

/**
 * The scenario of a load: which requests (method, path with its templates, share of the mix, body shape) and
 * which executor with which parameters. Host and port are left out — a service started on a free port each
 * time is the same scenario — and so is the target command (what an iteration changes).
 */
export function scenarioOf(
  requests: readonly RequestTemplate[],
  load: ScenarioSpec['load'],
  name?: string,
): ScenarioRef {
  const spec = scenarioSpec(requests, load);
  return { id: scenarioId(spec), description: describeScenario(spec), name: name ?? requestNames(requests), spec };
}

/**
 * The scenario of a load known only by its request names (`GET /path`, as a `perfloop/load@1` result lists its
 * endpoints): method and path from each name, the mix and executor unknown.
 */
export function scenarioFromRequestNames(names: readonly string[]): ScenarioRef {
  const requests = names.map((n) => {
    const m = /^([A-Z]+) (\S+)$/.exec(n);
    return m ? { method: m[1], url: m[2] } : { name: n, url: n };
  });
  return scenarioOf(requests, { executor: 'unknown' }, names.join(', '));
}

function requestNames(requests: readonly RequestTemplate[]): string {
  return requests.map((r) => r.name ?? `${(r.method ?? 'GET').toUpperCase()} ${pathOf(r.url).split('?')[0]}`).join(', ');
}

export function scenarioSpec(requests: readonly RequestTemplate[], load: ScenarioSpec['load']): ScenarioSpec {
  const total = requests.reduce((s, r) => s + (r.weight ?? 1), 0) || 1;
  const rows = requests.map((r) => ({
    method: (r.method ?? 'GET').toUpperCase(),
    path: pathOf(r.url),
    share: Math.round(((r.weight ?? 1) / total) * 10_000) / 10_000,
    body: r.body === undefined ? null : bodyShape(r.body),
  }));
  rows.sort((a, b) => (a.path + a.method < b.path + b.method ? -1 : a.path + a.method > b.path + b.method ? 1 : 0));
  return { requests: rows, load: { ...load } };
}

/** Twelve hex digits of the SHA-256 of the canonical JSON (keys sorted): stable across runs and machines. */
export function scenarioId(spec: ScenarioSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 12);
}

export function describeScenario(spec: ScenarioSpec): string {
  const reqs = spec.requests
    .map((r) => `${r.method} ${r.path}${spec.requests.length > 1 ? ` (${Math.round(r.share * 100)} %)` : ''}`)
    .join(', ');
  const { executor, ...params } = spec.load;
  const p = Object.entries(params)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${reqs} · ${executor ?? 'load'}${p ? ` (${p})` : ''}`;
}

/** What differs between two scenarios, one readable line each; empty when they are the same. */
export function scenarioDifferences(a: ScenarioRef, b: ScenarioRef): string[] {
  if (a.id === b.id) return [];
  if (!a.spec || !b.spec) return [`load: ${a.description} → ${b.description}`];
  const out: string[] = [];
  const key = (r: ScenarioSpec['requests'][number]) => `${r.method} ${r.path}`;
  const before = new Map(a.spec.requests.map((r) => [key(r), r]));
  const after = new Map(b.spec.requests.map((r) => [key(r), r]));
  for (const [k, r] of before) {
    const other = after.get(k);
    if (!other) out.push(`request ${k} only in the first run`);
    else {
      if (other.share !== r.share)
        out.push(`request ${k}: share of the mix ${pct(r.share)} → ${pct(other.share)}`);
      if (other.body !== r.body) out.push(`request ${k}: body ${r.body ?? 'none'} → ${other.body ?? 'none'}`);
    }
  }
  for (const k of after.keys()) if (!before.has(k)) out.push(`request ${k} only in the second run`);
  const keys = new Set([...Object.keys(a.spec.load), ...Object.keys(b.spec.load)]);
  for (const k of keys) {
    const x = a.spec.load[k];
    const y = b.spec.load[k];
    if (x !== y) out.push(`${k}: ${x ?? '–'} → ${y ?? '–'}`);
  }
  return out.length > 0 ? out : [`load: ${a.description} → ${b.description}`];
}

const pct = (share: number) => `${Math.round(share * 1000) / 10} %`;

/** Path and query of a URL (templates such as `{{rand:1000}}` kept as written); the origin dropped. */
function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const rest = m ? url.slice(m[0].length) : url;
  return rest === '' ? '/' : rest;
}

/**
 * The shape of a request body: for JSON the structure of keys and value types (`{"id":number,"tags":[string]}`),
 * so two bodies that differ only in values are one scenario; for other bodies the length class.
 */
function bodyShape(body: string): string {
  const json = tryJson(body) ?? tryJson(body.replace(/\{\{[^}]*\}\}/g, '0'));
  if (json !== undefined) return shapeOf(json.value);
  return `text (${body.length < 1024 ? '< 1 KB' : `${Math.round(body.length / 1024)} KB`})`;
}

function tryJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function shapeOf(v: unknown): string {
  if (Array.isArray(v)) return `[${[...new Set(v.map(shapeOf))].sort().join('|')}]`;
  if (v === null) return 'null';
  if (typeof v === 'object')
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${shapeOf((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return typeof v;
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
