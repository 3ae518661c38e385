import { PerfloopError } from '../core/errors.js';
import { parseDuration } from './duration.js';
import { withoutExecution, type LoadScriptOptions } from './options.js';

/** The execution flags of `perfloop load`, before they are applied to a script's options. */
export interface ExecutionFlags {
  vus?: number;
  durationMs?: number;
  iterations?: number;
  rate?: number;
}

/**
 * Applies command-line execution flags over a script's options, as k6's CLI does: `-d`, `--iterations` or
 * `--rate` replace the script's execution config (stages, scenarios) with one built from the flags; `-c`
 * alone only changes `vus`. `--rate R` is a constant arrival rate with `-c` capping concurrent requests
 * (k6's maxVUs); with `--iterations N` it runs exactly N arrivals (N/R seconds).
 */
export function applyExecutionFlags(
  script: LoadScriptOptions,
  f: ExecutionFlags,
  quickDefaults: boolean,
): LoadScriptOptions {
  const rest = withoutExecution(script);
  const replaces = f.durationMs !== undefined || f.iterations !== undefined || f.rate !== undefined;
  if (f.rate !== undefined) {
    if (!(f.rate > 0)) throw new PerfloopError('USAGE', `--rate: expected a number > 0, got ${f.rate}`);
    const durationMs = f.iterations !== undefined ? (f.iterations / f.rate) * 1000 : (f.durationMs ?? 10_000);
    // Enough VUs for a second of arrivals unless -c caps them: the pool only grows when requests overlap.
    const maxVUs = f.vus ?? Math.max(10, Math.min(10_000, Math.ceil(f.rate)));
    return {
      ...rest,
      scenarios: {
        default: {
          executor: 'constant-arrival-rate',
          rate: f.rate,
          timeUnit: '1s',
          duration: durationMs,
          preAllocatedVUs: Math.min(maxVUs, 10),
          maxVUs,
        },
      },
    };
  }
  if (replaces) {
    const vus = f.vus ?? script.vus ?? (quickDefaults ? 10 : 1);
    return f.iterations !== undefined
      ? {
          ...rest,
          vus,
          iterations: f.iterations,
          ...(f.durationMs !== undefined ? { duration: f.durationMs } : {}),
        }
      : { ...rest, vus, duration: f.durationMs };
  }
  if (f.vus !== undefined) {
    if (script.scenarios)
      throw new PerfloopError(
        'USAGE',
        '-c cannot change a script with scenarios: give -d or --iterations too (they replace the scenarios)',
      );
    return { ...script, vus: f.vus };
  }
  if (
    quickDefaults &&
    script.vus === undefined &&
    script.duration === undefined &&
    script.iterations === undefined &&
    !script.stages &&
    !script.scenarios
  ) {
    return { ...script, vus: 10, duration: 10_000 };
  }
  return script;
}

/** `-H 'name: value'` flags as a header object. */
export function parseHeaderFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of flags) {
    const i = h.indexOf(':');
    if (i <= 0) throw new PerfloopError('USAGE', `-H ${JSON.stringify(h)}: expected "name: value"`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

export function durationFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0)
    throw new PerfloopError('USAGE', `--${name}: expected a duration like 30s, got ${JSON.stringify(v)}`);
  return ms;
}

export function numberFlag(
  name: string,
  v: string | undefined,
  min: number,
  integer = false,
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new PerfloopError(
      'USAGE',
      `--${name}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}
