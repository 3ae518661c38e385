import { Histogram } from '../core/histogram.js';
import type { IntervalRecord } from '../core/run.js';
import { PerfloopError } from '../core/errors.js';
import type { LoadScriptOptions } from './options.js';
import type { LoadResult, PresetReport } from './result.js';

/**
 * The method's test scenarios (phase 15, step 7, "Test Scenarios") as presets. `--scale X` multiplies every
 * duration (0.01 turns the 1 h endurance run into 36 s), including the spike's 30 s recovery criterion.
 *
 * | Scenario  | VUs        | Duration | Success criteria           |
 * |-----------|------------|----------|----------------------------|
 * | baseline  | 10         | 5m       | p95 < 200ms                |
 * | normal    | 50         | 10m      | p95 < 200ms, errors < 1%   |
 * | peak      | 100        | 5m       | p95 < 500ms, errors < 5%   |
 * | spike     | 10→100→10  | 3m       | recovery < 30s             |
 * | endurance | 50         | 1h       | stable latency (p95 drift) |
 */
export const PRESET_NAMES = ['baseline', 'normal', 'peak', 'spike', 'endurance'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** p95 drift beyond this over an endurance run means latency is not stable. */
export const MAX_DRIFT_PCT = 20;
const RECOVERY_LIMIT_S = 30;
/** Latency is "back to normal" after a spike when a second's p95 is within this of the pre-spike p95… */
const RECOVERED_FACTOR = 1.25;
const RECOVERED_SLACK_MS = 2;
/** …for this many seconds in a row. */
const RECOVERED_SECONDS = 3;

// Spike timeline (seconds at scale 1): ramp to 10, hold (the baseline), spike up, hold, back down, watch.
const SPIKE = [
  { s: 20, target: 10 },
  { s: 40, target: 10 },
  { s: 10, target: 100 },
  { s: 30, target: 100 },
  { s: 10, target: 10 },
  { s: 70, target: 10 },
];

export interface Preset {
  options: LoadScriptOptions;
  report(result: LoadResult): PresetReport;
}

const scaled = (seconds: number, scale: number) => Math.max(100, Math.round(seconds * 1000 * scale));

/** p95 (ms) of the merged one-second intervals [fromS, toS). */
function windowP95(
  intervals: readonly IntervalRecord[],
  fromS: number,
  toS: number,
): { p95: number; count: number } {
  const h = Histogram.mergeAll(
    intervals
      .filter((i) => i.t >= fromS && i.t < toS && i.count > 0)
      .map((i) => Histogram.decode(i.histogram)),
  );
  return { p95: h.percentile(95) / 1000, count: h.count };
}

/**
 * Seconds from `spikeEndS` until latency is back to the baseline: the first second after which
 * RECOVERED_SECONDS consecutive seconds (or all that remain) have responses and p95 within the band.
 */
export function recoveryTime(
  intervals: readonly IntervalRecord[],
  baselineP95: number,
  spikeEndS: number,
): number | null {
  const limit = Math.max(baselineP95 * RECOVERED_FACTOR, baselineP95 + RECOVERED_SLACK_MS);
  const after = intervals.filter((i) => i.t >= Math.floor(spikeEndS));
  const ok = after.map((i) => i.count > 0 && Histogram.decode(i.histogram).percentile(95) / 1000 <= limit);
  for (let k = 0; k < after.length; k++) {
    const run = ok.slice(k, k + RECOVERED_SECONDS);
    if (
      run.length > 0 &&
      run.every(Boolean) &&
      (run.length === RECOVERED_SECONDS || k + run.length === after.length)
    ) {
      return Math.max(0, after[k].t - spikeEndS);
    }
  }
  return null;
}

/** Relative p95 change from the first to the last tenth of the run (the first second, warm-up, skipped). */
export function latencyDrift(intervals: readonly IntervalRecord[]): number | null {
  const n = intervals.length;
  if (n < 10) return null;
  const tenth = Math.max(1, Math.floor(n / 10));
  const first = windowP95(intervals, 1, 1 + tenth);
  const last = windowP95(intervals, n - tenth, n);
  if (first.count === 0 || last.count === 0 || first.p95 === 0) return null;
  return Math.round(((last.p95 - first.p95) / first.p95) * 1000) / 10;
}

export function preset(name: string, scale = 1): Preset {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new PerfloopError(
      'USAGE',
      `--preset ${JSON.stringify(name)}: expected one of ${PRESET_NAMES.join(', ')}`,
    );
  }
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new PerfloopError('USAGE', `--scale: expected a number > 0, got ${scale}`);
  const base: PresetReport = { name, scale, criteria: [] };
  switch (name as PresetName) {
    case 'baseline':
      return {
        options: { vus: 10, duration: scaled(300, scale), thresholds: { http_req_duration: ['p(95)<200'] } },
        report: () => base,
      };
    case 'normal':
      return {
        options: {
          vus: 50,
          duration: scaled(600, scale),
          thresholds: { http_req_duration: ['p(95)<200'], http_req_failed: ['rate<0.01'] },
        },
        report: () => base,
      };
    case 'peak':
      return {
        options: {
          vus: 100,
          duration: scaled(300, scale),
          thresholds: { http_req_duration: ['p(95)<500'], http_req_failed: ['rate<0.05'] },
        },
        report: () => base,
      };
    case 'spike': {
      const stages = SPIKE.map((s) => ({ duration: scaled(s.s, scale), target: s.target }));
      const ends = stages.reduce<number[]>((acc, s) => [...acc, (acc.at(-1) ?? 0) + s.duration / 1000], []);
      const limitS = Math.max(1, Math.round(RECOVERY_LIMIT_S * scale * 10) / 10);
      return {
        options: { stages },
        report(result) {
          const baseline = windowP95(result.intervals, Math.ceil(ends[0]), Math.floor(ends[1]));
          const recovery = baseline.count > 0 ? recoveryTime(result.intervals, baseline.p95, ends[4]) : null;
          const ok = recovery !== null && recovery < limitS;
          return {
            ...base,
            recoveryTimeS: recovery,
            criteria: [
              {
                name: `recovery < ${limitS}s`,
                ok,
                detail:
                  recovery === null
                    ? `p95 did not return to the pre-spike ${+baseline.p95.toFixed(2)}ms (±25%) before the end`
                    : `p95 back to the pre-spike ${+baseline.p95.toFixed(2)}ms (±25%) ${recovery}s after the spike`,
              },
            ],
          };
        },
      };
    }
    case 'endurance':
      return {
        options: { vus: 50, duration: scaled(3600, scale) },
        report(result) {
          const drift = latencyDrift(result.intervals);
          return {
            ...base,
            latencyDriftPct: drift,
            criteria: [
              {
                name: `stable latency (p95 drift ≤ ${MAX_DRIFT_PCT}%)`,
                ok: drift !== null && Math.abs(drift) <= MAX_DRIFT_PCT,
                detail:
                  drift === null
                    ? 'too short to measure drift'
                    : `p95 ${drift > 0 ? '+' : ''}${drift}% from the first to the last tenth`,
              },
            ],
          };
        },
      };
  }
}
