import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ScenarioRef, ScenarioSpec } from '../core/run.js';
import { toMs } from './executors/config-check.js';
import type { LoadScriptOptions } from './options.js';
import type { LoadResult } from './result.js';
import { canonicalJson, describeScenario, scenarioId, scenarioOf, scenarioSpec } from './scenario-fingerprint.js';

const EXECUTION_KEYS = ['vus', 'duration', 'iterations', 'stages', 'scenarios'] as const;

/**
 * The scenario of any load definition, so log/compare/gate group its runs: a request mix keeps the fingerprint
 * of scenarioOf (and plain `-c N -d D` keeps the same load fields as before, so old runs still group with new
 * ones); a script is its content hash, its execution options and the requests it was seen making (method and
 * path, ids collapsed) — a run of the same script with the same options is the same scenario wherever it ran.
 */
export function scenarioOfLoad(
  load: { requests?: readonly { url: string; method?: string; name?: string; body?: string; weight?: number }[]; script?: string; options: LoadScriptOptions },
  result: LoadResult | null,
  name?: string,
): ScenarioRef {
  const execution = executionSpec(load.options);
  if (!load.script) return scenarioOf(load.requests ?? [], execution, name);
  const seen = result ? requestsSeen(result) : [];
  const spec: ScenarioSpec = scenarioSpec(
    seen.map((n) => ({ method: n.method, url: n.path })),
    { ...execution, script: scriptHash(load.script) },
  );
  const shown = Object.fromEntries(Object.entries(spec.load).filter(([k]) => k !== 'script'));
  const description = `${basename(load.script)} (sha256 ${String(spec.load.script).slice(0, 8)}) · ${describeScenario({ requests: spec.requests, load: shown })}`;
  return { id: scenarioId(spec), description, name: name ?? basename(load.script), spec };
}

/** The execution part of k6 options as flat, canonical fields (durations in ms, whatever way they were written). */
export function executionSpec(o: LoadScriptOptions): ScenarioSpec['load'] {
  const has = (k: string) => o[k] !== undefined && o[k] !== null;
  // -c N -d D: the fields perfloop run always wrote, so these runs keep grouping with older ones.
  if (!has('scenarios') && !has('stages') && !has('iterations') && has('duration'))
    return { executor: 'constant-vus', vus: o.vus ?? 1, durationS: (toMs(o.duration) as number) / 1000 };
  const picked = Object.fromEntries(EXECUTION_KEYS.filter(has).map((k) => [k, normalised(o[k])]));
  const scenarios = (o.scenarios ?? {}) as Record<string, { executor?: unknown }>;
  const executor = has('scenarios')
    ? Object.keys(scenarios).length === 1
      ? String(Object.values(scenarios)[0]?.executor ?? 'scenario')
      : 'scenarios'
    : has('stages')
      ? 'ramping-vus'
      : has('iterations')
        ? 'shared-iterations'
        : 'per-vu-iterations';
  return { executor, execution: canonicalJson(picked) };
}

/** SHA-256 of the script's text: edits to the script make a new scenario, a rename or a move does not. */
function scriptHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
}

/** Distinct (method, path) pairs of the run's HTTP requests, from the tags of its latency series. */
export function requestsSeen(result: LoadResult): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const s of result.metrics.seriesOf('http_req_duration')) {
    const name = s.tags.name ?? s.tags.url;
    if (!name) continue;
    const method = (s.tags.method ?? 'GET').toUpperCase();
    const path = collapseIds(pathOf(name));
    seen.set(`${method} ${path}`, { method, path });
  }
  return [...seen.values()];
}

/** Path of a URL (origin dropped: a service on a fresh port each run is the same scenario). */
function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const rest = m ? url.slice(m[0].length) : url;
  return (rest === '' ? '/' : rest).split('?')[0];
}

/** `/orders/123` and `/orders/8f14e45f-…` → `/orders/{id}`: a script's random ids are one request, not thousands. */
function collapseIds(path: string): string {
  return path
    .split('/')
    .map((seg) => (/^\d+$/.test(seg) || /^[0-9a-f-]{16,}$/i.test(seg) ? '{id}' : seg))
    .join('/');
}

const DURATION_FIELDS = new Set(['duration', 'gracefulStop', 'gracefulRampDown', 'maxDuration', 'startTime', 'timeUnit']);

function normalised(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => normalised(x));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, normalised(x, k)]));
  return DURATION_FIELDS.has(key) ? (toMs(v) ?? v) : v;
}
