import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PerfloopError } from '../../core/errors.js';
import type { RequestChecks } from '../checks.js';
import { toMs } from '../executors/config-check.js';
import { badOptions, type LoadScriptOptions } from '../options.js';
import type { RequestTemplate } from '../scenario.js';

/**
 * The declarative scenario form (YAML or JSON): k6 options plus a weighted list of requests with checks.
 *
 * ```yaml
 * baseUrl: http://127.0.0.1:8080
 * options: { vus: 20, duration: 30s, thresholds: { http_req_duration: ["p(95)<200"] } }
 * requests:
 *   - name: login
 *     method: POST
 *     url: /login                        # relative to baseUrl, or absolute
 *     headers: { content-type: application/json }
 *     json: { user: "u{{seq}}" }         # or body: "raw text"
 *     weight: 2
 *     checks: { status: 200, max_duration: 200ms, body_contains: token }
 * ```
 * Options may also sit at the top level (`vus: 20` beside `requests`), as in a k6 options object.
 */
export interface DeclarativeScenario {
  options: LoadScriptOptions;
  requests: RequestTemplate[];
}

const REQUEST_FIELDS = ['name', 'method', 'url', 'headers', 'body', 'json', 'weight', 'checks'];
const CHECK_FIELDS = ['status', 'max_duration', 'body_contains', 'body_matches'];

function parseChecks(raw: unknown, path: string, errors: string[]): RequestChecks | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push(`${path}: must be an object (${CHECK_FIELDS.join(', ')})`);
    return undefined;
  }
  const c = raw as Record<string, unknown>;
  const out: RequestChecks = {};
  for (const k of Object.keys(c))
    if (!CHECK_FIELDS.includes(k)) errors.push(`${path}.${k}: unknown check (${CHECK_FIELDS.join(', ')})`);
  if (c.status !== undefined) {
    const list = Array.isArray(c.status) ? c.status : [c.status];
    if (
      list.length === 0 ||
      !list.every((s) => Number.isInteger(s) && (s as number) >= 100 && (s as number) <= 599)
    )
      errors.push(`${path}.status: must be an HTTP status or a list of them`);
    else out.status = list as number[];
  }
  if (c.max_duration !== undefined) {
    const ms = toMs(c.max_duration);
    if (ms === undefined) errors.push(`${path}.max_duration: must be a duration like "200ms"`);
    else out.maxDurationMs = ms;
  }
  if (c.body_contains !== undefined) {
    if (typeof c.body_contains !== 'string') errors.push(`${path}.body_contains: must be a string`);
    else out.bodyContains = c.body_contains;
  }
  if (c.body_matches !== undefined) {
    try {
      new RegExp(String(c.body_matches));
      out.bodyMatches = String(c.body_matches);
    } catch (e) {
      errors.push(`${path}.body_matches: ${(e as Error).message}`);
    }
  }
  return out;
}

export function parseDeclarative(doc: unknown, source: string): DeclarativeScenario {
  const errors: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new PerfloopError('LOAD_BAD_SCRIPT', `${source}: must be an object with "requests"`);
  const d = doc as Record<string, unknown>;
  const base = d.baseUrl;
  if (base !== undefined && (typeof base !== 'string' || !/^https?:\/\//.test(base)))
    errors.push('baseUrl: must be an http(s):// URL');
  const { requests: rawRequests, options: nested, ...topLevel } = d;
  delete topLevel.baseUrl;
  if (nested !== undefined && (typeof nested !== 'object' || nested === null))
    errors.push('options: must be an object');
  const options = { ...topLevel, ...((nested as LoadScriptOptions | undefined) ?? {}) } as LoadScriptOptions;
  const requests: RequestTemplate[] = [];
  if (!Array.isArray(rawRequests) || rawRequests.length === 0)
    errors.push('requests: must be a non-empty list');
  else
    rawRequests.forEach((raw, i) => {
      const p = `requests[${i}]`;
      if (typeof raw !== 'object' || raw === null)
        return void errors.push(`${p}: must be an object with a url`);
      const r = raw as Record<string, unknown>;
      for (const k of Object.keys(r))
        if (!REQUEST_FIELDS.includes(k))
          errors.push(`${p}.${k}: unknown field (${REQUEST_FIELDS.join(', ')})`);
      let url: string | undefined;
      if (typeof r.url !== 'string' || r.url === '') errors.push(`${p}.url: is required`);
      else {
        const raw = r.url;
        url = /^https?:\/\//i.test(raw)
          ? raw
          : typeof base === 'string'
            ? `${base.replace(/\/+$/, '')}/${raw.replace(/^\/+/, '')}`
            : undefined;
        try {
          if (!url) throw new Error('relative');
          new URL(url.replace(/\{\{[^}]*\}\}/g, '0'));
        } catch {
          errors.push(
            `${p}.url: must be an absolute http(s):// URL (or relative to baseUrl), got ${JSON.stringify(raw)}`,
          );
          url = undefined;
        }
      }
      if (r.method !== undefined && (typeof r.method !== 'string' || !/^[A-Za-z]+$/.test(r.method)))
        errors.push(`${p}.method: must be an HTTP method`);
      if (
        r.headers !== undefined &&
        (typeof r.headers !== 'object' ||
          r.headers === null ||
          Object.values(r.headers).some((v) => typeof v !== 'string' && typeof v !== 'number'))
      )
        errors.push(`${p}.headers: must map names to strings`);
      if (r.body !== undefined && r.json !== undefined) errors.push(`${p}: body and json are exclusive`);
      if (r.body !== undefined && typeof r.body !== 'string')
        errors.push(`${p}.body: must be a string (use json: for an object)`);
      if (r.weight !== undefined && !(typeof r.weight === 'number' && r.weight > 0))
        errors.push(`${p}.weight: must be a number > 0`);
      if (r.name !== undefined && typeof r.name !== 'string') errors.push(`${p}.name: must be a string`);
      const checks = parseChecks(r.checks, `${p}.checks`, errors);
      if (!url) return;
      const headers = Object.fromEntries(
        Object.entries((r.headers as Record<string, string | number>) ?? {}).map(([k, v]) => [k, String(v)]),
      );
      let body = r.body as string | undefined;
      if (r.json !== undefined) {
        body = JSON.stringify(r.json);
        if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
          headers['content-type'] = 'application/json';
      }
      requests.push({
        name: r.name as string | undefined,
        method: (r.method as string | undefined)?.toUpperCase(),
        url,
        headers,
        body,
        weight: r.weight as number | undefined,
        checks,
      });
    });
  if (errors.length > 0) throw badOptions(errors.map((e) => `${source}: ${e}`));
  return { options, requests };
}

export function loadDeclarative(path: string): DeclarativeScenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PerfloopError('LOAD_NO_SCRIPT', `cannot read ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new PerfloopError('LOAD_BAD_SCRIPT', `${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseDeclarative(doc, path);
}
