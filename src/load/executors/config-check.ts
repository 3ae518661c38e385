import { parseDuration } from '../duration.js';

/**
 * Small validators shared by the executors. Each pushes `path.field: problem` into `errors` so a config
 * with several mistakes is reported at once.
 */
export const at = (path: string, field: string): string => (path ? `${path}.${field}` : field);

/** k6 durations: a string like "1m30s", or a number of milliseconds (k6's JSON form). */
export function toMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string') return parseDuration(value);
  return undefined;
}

export function durationMs(value: unknown, fallback: number): number {
  return value === undefined ? fallback : (toMs(value) ?? fallback);
}

export function checkDuration(
  errors: string[],
  config: Record<string, unknown>,
  path: string,
  field: string,
  required: boolean,
  positive = false,
): void {
  const v = config[field];
  if (v === undefined) {
    if (required) errors.push(`${at(path, field)}: is required (a duration like "30s")`);
    return;
  }
  const ms = toMs(v);
  if (ms === undefined)
    errors.push(`${at(path, field)}: must be a duration like "30s", got ${JSON.stringify(v)}`);
  else if (positive && ms <= 0) errors.push(`${at(path, field)}: must be longer than 0`);
}

export function checkInt(
  errors: string[],
  config: Record<string, unknown>,
  path: string,
  field: string,
  min: number,
  required: boolean,
): void {
  checkNumeric(errors, config, path, field, min, required, 'an integer', Number.isInteger);
}

export function checkNumber(
  errors: string[],
  config: Record<string, unknown>,
  path: string,
  field: string,
  min: number,
  required: boolean,
): void {
  checkNumeric(errors, config, path, field, min, required, 'a number', Number.isFinite);
}

function checkNumeric(
  errors: string[],
  config: Record<string, unknown>,
  path: string,
  field: string,
  min: number,
  required: boolean,
  what: string,
  valid: (n: number) => boolean,
): void {
  const v = config[field];
  if (v === undefined) {
    if (required) errors.push(`${at(path, field)}: is required (${what} ≥ ${min})`);
    return;
  }
  if (!(typeof v === 'number' && valid(v) && v >= min))
    errors.push(`${at(path, field)}: must be ${what} ≥ ${min}, got ${JSON.stringify(v)}`);
}

/** The options of both iteration-count executors (`shared-iterations`, `per-vu-iterations`). */
export interface IterationsConfig {
  vus?: number;
  iterations?: number;
  maxDuration?: string | number;
  gracefulStop?: string | number;
}

export const ITERATIONS_FIELDS = ['vus', 'iterations', 'maxDuration'];
export const MAX_DURATION_DEFAULT_MS = 600_000;

export function checkIterationsConfig(config: Record<string, unknown>, path: string): string[] {
  const errors: string[] = [];
  checkInt(errors, config, path, 'vus', 1, false);
  checkInt(errors, config, path, 'iterations', 1, false);
  checkDuration(errors, config, path, 'maxDuration', false, true);
  return errors;
}

export interface Stage {
  durationMs: number;
  target: number;
}

/** `stages: [{ duration, target }]`, every stage checked. */
export function checkStages(
  errors: string[],
  config: Record<string, unknown>,
  path: string,
  field = 'stages',
): void {
  const stages = config[field];
  const p = at(path, field);
  if (!Array.isArray(stages) || stages.length === 0) {
    errors.push(`${p}: must be a non-empty list of { duration, target }`);
    return;
  }
  stages.forEach((s, i) => {
    const sp = `${p}[${i}]`;
    if (typeof s !== 'object' || s === null) {
      errors.push(`${sp}: must be an object { duration, target }`);
      return;
    }
    const st = s as Record<string, unknown>;
    checkDuration(errors, st, sp, 'duration', true);
    if (typeof st.target !== 'number' || !Number.isFinite(st.target))
      errors.push(`${sp}.target: must be a number ≥ 0`);
    else if (st.target < 0) errors.push(`${sp}.target: must be ≥ 0`);
    for (const k of Object.keys(st))
      if (k !== 'duration' && k !== 'target') errors.push(`${sp}.${k}: unknown field`);
  });
}

export function stagesOf(config: Record<string, unknown>, field = 'stages'): Stage[] {
  return (config[field] as { duration: unknown; target: number }[]).map((s) => ({
    durationMs: toMs(s.duration)!,
    target: s.target,
  }));
}

export const sumMs = (stages: readonly Stage[]): number => stages.reduce((a, s) => a + s.durationMs, 0);
