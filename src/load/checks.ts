import type { Tags } from '../core/metric.js';
import type { LoadRecorder } from './recorder.js';

/** Checks of the declarative (YAML/JSON) form, per request. */
export interface RequestChecks {
  /** Expected status, or any of several. */
  status?: number | number[];
  /** The response must complete within this many ms (measured like http_req_duration). */
  maxDurationMs?: number;
  bodyContains?: string;
  /** A regular expression the body must match. */
  bodyMatches?: string;
}

export interface CheckedResponse {
  status: number;
  durationMs: number;
  body?: Buffer;
}

export interface CompiledCheck {
  readonly name: string;
  test(r: CheckedResponse): boolean;
}

export const checksNeedBody = (c: RequestChecks): boolean =>
  c.bodyContains !== undefined || c.bodyMatches !== undefined;

/** Turns declarative checks into named predicates; the names are what the summary lists (as k6 names checks). */
export function compileChecks(c: RequestChecks): CompiledCheck[] {
  const out: CompiledCheck[] = [];
  if (c.status !== undefined) {
    const wanted = Array.isArray(c.status) ? c.status : [c.status];
    out.push({ name: `status is ${wanted.join(' or ')}`, test: (r) => wanted.includes(r.status) });
  }
  if (c.maxDurationMs !== undefined) {
    const max = c.maxDurationMs;
    out.push({ name: `duration < ${max}ms`, test: (r) => r.status !== 0 && r.durationMs < max });
  }
  if (c.bodyContains !== undefined) {
    const needle = c.bodyContains;
    out.push({
      name: `body contains ${JSON.stringify(needle)}`,
      test: (r) => !!r.body && r.body.includes(needle),
    });
  }
  if (c.bodyMatches !== undefined) {
    const re = new RegExp(c.bodyMatches);
    out.push({
      name: `body matches /${c.bodyMatches}/`,
      test: (r) => !!r.body && re.test(r.body.toString('utf8')),
    });
  }
  return out;
}

/** Records each check's outcome in the `checks` rate metric (tag `check`), as k6's check() does. */
export function runChecks(
  checks: readonly CompiledCheck[],
  r: CheckedResponse,
  recorder: LoadRecorder,
  tags: Tags,
): boolean {
  let all = true;
  for (const c of checks) {
    const ok = c.test(r);
    if (!ok) all = false;
    recorder.add('checks', ok ? 1 : 0, { ...tags, check: c.name });
  }
  return all;
}
