import { rampingSchedule } from './arrival-schedule.js';
import { runArrivals } from './arrivals.js';
import { checkNumber, checkStages, durationMs, stagesOf, sumMs } from './config-check.js';
import { checkArrivalVUs, segmentVUs } from './constant-arrival-rate.js';
import { GRACEFUL_STOP_DEFAULT_MS, registerExecutor } from './registry.js';
import type { Executor, ExecutorFactory } from './types.js';

export interface RampingArrivalRateConfig {
  startRate?: number;
  timeUnit?: string | number;
  stages: { duration: string | number; target: number }[];
  preAllocatedVUs: number;
  maxVUs?: number;
  gracefulStop?: string | number;
}

/** k6 `ramping-arrival-rate`: the arrival rate ramps linearly between stage targets (iterations per timeUnit). */
export const rampingArrivalRate: ExecutorFactory<RampingArrivalRateConfig> = {
  name: 'ramping-arrival-rate',
  fields: ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
  validate(config, path) {
    const errors: string[] = [];
    checkNumber(errors, config, path, 'startRate', 0, false);
    checkStages(errors, config, path);
    checkArrivalVUs(errors, config, path);
    return errors;
  },
  maxVUs: (config) => config.maxVUs ?? config.preAllocatedVUs,
  create(config, segment): Executor {
    const unitMs = durationMs(config.timeUnit, 1000);
    const stages = stagesOf(config as unknown as Record<string, unknown>);
    const plannedMs = sumMs(stages);
    const vus = segmentVUs(
      (n) => segment.share(n),
      config.preAllocatedVUs,
      config.maxVUs ?? config.preAllocatedVUs,
    );
    const gracefulStopMs = durationMs(config.gracefulStop, GRACEFUL_STOP_DEFAULT_MS);
    const startRate = config.startRate ?? 0;
    const schedule = rampingSchedule(
      startRate / unitMs,
      stages.map((s) => ({ durationMs: s.durationMs, target: s.target / unitMs })),
    );
    const perSecond = (r: number) => +((r * 1000) / unitMs).toFixed(2);
    const stage = (ms: number) => {
      let t = 0;
      let from = startRate;
      for (const s of stages) {
        if (ms < t + s.durationMs)
          return from === s.target
            ? `${perSecond(s.target)} it/s`
            : `ramping ${perSecond(from)}→${perSecond(s.target)} it/s`;
        t += s.durationMs;
        from = s.target;
      }
      return `${perSecond(from)} it/s`;
    };
    return {
      plannedMs,
      gracefulStopMs,
      maxVUs: vus.max,
      run: (ctx) =>
        runArrivals(ctx, { schedule, preAllocatedVUs: vus.pre, maxVUs: vus.max, gracefulStopMs, stage }),
    };
  },
};

registerExecutor(rampingArrivalRate);
