import { constantSchedule } from './arrival-schedule.js';
import { runArrivals } from './arrivals.js';
import { at, checkDuration, checkInt, checkNumber, durationMs, toMs } from './config-check.js';
import { GRACEFUL_STOP_DEFAULT_MS, registerExecutor } from './registry.js';
import type { Executor, ExecutorFactory } from './types.js';

export interface ConstantArrivalRateConfig {
  rate: number;
  timeUnit?: string | number;
  duration: string | number;
  preAllocatedVUs: number;
  maxVUs?: number;
  gracefulStop?: string | number;
}

/** Checks shared by both arrival-rate executors. */
export function checkArrivalVUs(errors: string[], config: Record<string, unknown>, path: string): void {
  checkInt(errors, config, path, 'preAllocatedVUs', 0, true);
  checkInt(errors, config, path, 'maxVUs', 1, false);
  checkDuration(errors, config, path, 'timeUnit', false, true);
  const pre = config.preAllocatedVUs;
  const max = config.maxVUs;
  if (typeof pre === 'number' && typeof max === 'number' && max < pre) {
    errors.push(`${at(path, 'maxVUs')}: must be ≥ preAllocatedVUs (${pre}), got ${max}`);
  }
}

/** This segment's VU pool: its share, at least one VU when it owns arrivals at all. */
export function segmentVUs(
  share: (n: number) => number,
  pre: number,
  max: number,
): { pre: number; max: number } {
  const m = Math.max(1, share(max));
  return { pre: Math.min(m, share(pre)), max: m };
}

/**
 * k6 `constant-arrival-rate`: `rate` iterations per `timeUnit`, evenly spaced, for `duration`, whatever the
 * target's latency (an open model). See arrivals.ts for late and dropped iterations and corrected latency.
 */
export const constantArrivalRate: ExecutorFactory<ConstantArrivalRateConfig> = {
  name: 'constant-arrival-rate',
  fields: ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  validate(config, path) {
    const errors: string[] = [];
    checkNumber(errors, config, path, 'rate', 0, true);
    if (config.rate === 0) errors.push(`${at(path, 'rate')}: must be > 0`);
    checkDuration(errors, config, path, 'duration', true, true);
    checkArrivalVUs(errors, config, path);
    return errors;
  },
  maxVUs: (config) => config.maxVUs ?? config.preAllocatedVUs,
  create(config, segment): Executor {
    const unitMs = durationMs(config.timeUnit, 1000);
    const plannedMs = toMs(config.duration)!;
    const vus = segmentVUs(
      (n) => segment.share(n),
      config.preAllocatedVUs,
      config.maxVUs ?? config.preAllocatedVUs,
    );
    const gracefulStopMs = durationMs(config.gracefulStop, GRACEFUL_STOP_DEFAULT_MS);
    const perSecond = (config.rate * 1000) / unitMs;
    return {
      plannedMs,
      gracefulStopMs,
      maxVUs: vus.max,
      run: (ctx) =>
        runArrivals(ctx, {
          schedule: constantSchedule(config.rate / unitMs, plannedMs),
          preAllocatedVUs: vus.pre,
          maxVUs: vus.max,
          gracefulStopMs,
          stage: () => `${+perSecond.toFixed(2)} it/s`,
        }),
    };
  },
};

registerExecutor(constantArrivalRate);
