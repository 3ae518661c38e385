import { PerfloopError } from '../core/errors.js';
import { at, toMs } from './executors/config-check.js';
import { COMMON_FIELDS, executorFactory, executorNames } from './executors/registry.js';
import { Segment } from './executors/segment.js';
import './executors/index.js';

/** k6's script options, the part perfloop understands (other keys are ignored, as k6 ignores what it lacks). */
export interface LoadScriptOptions {
  vus?: number;
  duration?: string | number;
  iterations?: number;
  stages?: { duration: string | number; target: number }[];
  scenarios?: Record<string, Record<string, unknown>>;
  thresholds?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One scenario, normalised and validated: what a generator (thread) needs to run it. */
export interface ScenarioPlan {
  name: string;
  executor: string;
  /** The executor's config as given (durations unparsed), without the common fields. */
  config: Record<string, unknown>;
  startTimeMs: number;
  /** Script function to run (default: the default export). */
  exec?: string;
  tags: Record<string, string>;
  /** k6's scenario `env`: added to `__ENV` for this scenario's VUs. */
  env?: Record<string, string>;
}

const SHORTCUTS = ['vus', 'duration', 'iterations', 'stages'] as const;

/** The options without their execution config (shortcuts and scenarios), for a caller that replaces it. */
export function withoutExecution(o: LoadScriptOptions): LoadScriptOptions {
  const rest = { ...o };
  for (const k of [...SHORTCUTS, 'scenarios']) delete rest[k];
  return rest;
}

/**
 * k6's shortcut rules: `stages` → ramping-vus, `iterations` → shared-iterations (with `duration` as
 * maxDuration), `duration` → constant-vus, only `vus` (or nothing) → per-vu-iterations with one iteration.
 * Errors of a shortcut carry the option's own path (`stages[2].target: must be ≥ 0`).
 */
function shortcutScenario(
  o: LoadScriptOptions,
  errors: string[],
): { executor: string; config: Record<string, unknown> } {
  const has = (k: string) => o[k] !== undefined && o[k] !== null;
  if (has('stages')) {
    if (has('duration') || has('iterations'))
      errors.push('stages: cannot be combined with duration or iterations');
    return {
      executor: 'ramping-vus',
      config: { stages: o.stages, ...(has('vus') ? { startVUs: o.vus } : {}) },
    };
  }
  if (has('iterations')) {
    return {
      executor: 'shared-iterations',
      config: {
        vus: o.vus ?? 1,
        iterations: o.iterations,
        ...(has('duration') ? { maxDuration: o.duration } : {}),
      },
    };
  }
  if (has('duration')) return { executor: 'constant-vus', config: { vus: o.vus ?? 1, duration: o.duration } };
  return { executor: 'per-vu-iterations', config: { vus: o.vus ?? 1, iterations: 1 } };
}

function validateScenario(
  name: string,
  raw: unknown,
  path: string,
  errors: string[],
  exportNames?: readonly string[],
): ScenarioPlan | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push(`${path}: must be an object with an executor`);
    return null;
  }
  const s = raw as Record<string, unknown>;
  const executor = s.executor;
  const factory = typeof executor === 'string' ? executorFactory(executor) : undefined;
  if (!factory) {
    errors.push(
      `${at(path, 'executor')}: must be one of ${executorNames().join(', ')}, got ${JSON.stringify(executor)}`,
    );
    return null;
  }
  const before = errors.length;
  for (const k of Object.keys(s)) {
    if (!(COMMON_FIELDS as readonly string[]).includes(k) && !factory.fields.includes(k))
      errors.push(`${at(path, k)}: unknown field for ${factory.name}`);
  }
  if (s.startTime !== undefined && toMs(s.startTime) === undefined)
    errors.push(`${at(path, 'startTime')}: must be a duration like "30s"`);
  if (s.gracefulStop !== undefined && toMs(s.gracefulStop) === undefined)
    errors.push(`${at(path, 'gracefulStop')}: must be a duration like "30s"`);
  if (s.exec !== undefined) {
    if (typeof s.exec !== 'string' || s.exec === '')
      errors.push(`${at(path, 'exec')}: must be the name of an exported function`);
    else if (exportNames && !exportNames.includes(s.exec))
      errors.push(`${at(path, 'exec')}: the script exports no function ${JSON.stringify(s.exec)}`);
  }
  if (
    s.tags !== undefined &&
    (typeof s.tags !== 'object' ||
      s.tags === null ||
      Object.values(s.tags).some((v) => typeof v !== 'string'))
  ) {
    errors.push(`${at(path, 'tags')}: must be an object of string values`);
  }
  if (
    s.env !== undefined &&
    (typeof s.env !== 'object' || s.env === null || Object.values(s.env).some((v) => typeof v !== 'string'))
  )
    errors.push(`${at(path, 'env')}: must be an object of string values`);
  // k6/browser scenarios: `options: { browser: { type: 'chromium' } }` (k6 drives Chromium only, and so does perfloop).
  if (s.options !== undefined) {
    const type = (s.options as { browser?: { type?: unknown } } | null)?.browser?.type;
    if (typeof s.options !== 'object' || s.options === null) errors.push(`${at(path, 'options')}: must be an object`);
    else if (type !== undefined && type !== 'chromium') errors.push(`${at(path, 'options')}.browser.type: must be "chromium", got ${JSON.stringify(type)}`);
  }
  errors.push(...factory.validate(s, path));
  if (errors.length > before) return null;
  const config = Object.fromEntries(
    Object.entries(s).filter(
      ([k]) => k !== 'executor' && k !== 'startTime' && k !== 'exec' && k !== 'tags' && k !== 'env' && k !== 'options',
    ),
  );
  return {
    name,
    executor: factory.name,
    config,
    startTimeMs: toMs(s.startTime ?? 0) ?? 0,
    exec: s.exec as string | undefined,
    tags: (s.tags as Record<string, string> | undefined) ?? {},
    ...(s.env ? { env: s.env as Record<string, string> } : {}),
  };
}

/**
 * Turns options (shortcuts or `scenarios`) into validated scenario plans. Every problem is collected and
 * thrown together as one PerfloopError (exit 2) before anything starts.
 */
export function resolveScenarios(o: LoadScriptOptions, exportNames?: readonly string[]): ScenarioPlan[] {
  const { plans, errors } = collectScenarios(o, exportNames);
  if (errors.length > 0) throw badOptions(errors);
  return plans;
}

/** Like resolveScenarios, but returns the problems so they can be listed with others (thresholds). */
export function collectScenarios(
  o: LoadScriptOptions,
  exportNames?: readonly string[],
): { plans: ScenarioPlan[]; errors: string[] } {
  const errors: string[] = [];
  const plans: ScenarioPlan[] = [];
  if (o.scenarios !== undefined) {
    const used = SHORTCUTS.filter((k) => o[k] !== undefined);
    if (used.length > 0)
      errors.push(`${used.join(', ')}: cannot be combined with scenarios (set them inside a scenario)`);
    if (
      typeof o.scenarios !== 'object' ||
      o.scenarios === null ||
      Array.isArray(o.scenarios) ||
      Object.keys(o.scenarios).length === 0
    ) {
      errors.push('scenarios: must be an object with at least one named scenario');
    } else {
      for (const [name, s] of Object.entries(o.scenarios)) {
        if (!/^[A-Za-z0-9_-]+$/.test(name))
          errors.push(`scenarios.${name}: name must be letters, digits, _ or -`);
        const p = validateScenario(name, s, `scenarios.${name}`, errors, exportNames);
        if (p) plans.push(p);
      }
    }
  } else {
    const { executor, config } = shortcutScenario(o, errors);
    // Validate with the option's own names: `vus`, `duration`, `stages[0].target` (no scenario prefix).
    const shortcutPath = '';
    const factory = executorFactory(executor)!;
    const before = errors.length;
    errors.push(
      ...factory
        .validate(config, shortcutPath)
        .map((e) => e.replace(/^startVUs/, 'vus').replace(/^maxDuration/, 'duration')),
    );
    if (errors.length === before) plans.push({ name: 'default', executor, config, startTimeMs: 0, tags: {} });
  }
  return { plans, errors };
}

export function badOptions(errors: readonly string[]): PerfloopError {
  return new PerfloopError(
    'LOAD_BAD_OPTIONS',
    errors.length === 1 ? errors[0] : `${errors.length} problems:\n${errors.join('\n')}`,
    {
      hint: 'see the k6 options reference; perfloop uses the same names',
    },
  );
}

/** The single-executor form of LoadOptions (`{ executor: 'constant-vus', vus, duration }`) as a scenario. */
export function scenarioFromExecutor(
  name: string,
  executor: { executor: string } & Record<string, unknown>,
): { plans: ScenarioPlan[]; errors: string[] } {
  const errors: string[] = [];
  const p = validateScenario(name, executor, 'executor', errors);
  return { plans: p ? [p] : [], errors };
}

/** Planned duration of the whole run (latest scenario end, gracefulStop excluded). */
export function plannedMsOf(plans: readonly ScenarioPlan[]): number {
  return Math.max(
    0,
    ...plans.map(
      (p) => p.startTimeMs + executorFactory(p.executor)!.create(p.config as never, Segment.whole).plannedMs,
    ),
  );
}

/** Most VUs any scenario can use (caps how many worker threads are worth starting). */
export function maxVUsOf(plans: readonly ScenarioPlan[]): number {
  return Math.max(1, ...plans.map((p) => executorFactory(p.executor)!.maxVUs(p.config as never)));
}
