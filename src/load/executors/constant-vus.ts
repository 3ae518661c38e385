import { checkDuration, checkInt, durationMs, toMs } from './config-check.js';
import { registerExecutor, GRACEFUL_STOP_DEFAULT_MS } from './registry.js';
import type { Executor, ExecutorFactory } from './types.js';
import { runFixedVUs } from './vu-loop.js';

export interface ConstantVUsConfig {
  vus?: number;
  /** k6 duration ("30s") or ms as a number. */
  duration: string | number;
  gracefulStop?: string | number;
}

/** k6 `constant-vus`: a fixed number of VUs loop for a fixed time (a closed model). */
export const constantVUs: ExecutorFactory<ConstantVUsConfig> = {
  name: 'constant-vus',
  fields: ['vus', 'duration'],
  validate(config, path) {
    const errors: string[] = [];
    checkInt(errors, config, path, 'vus', 1, false);
    checkDuration(errors, config, path, 'duration', true, true);
    return errors;
  },
  maxVUs: (config) => config.vus ?? 1,
  create(config, segment): Executor {
    const plannedMs = toMs(config.duration)!;
    const vus = segment.share(config.vus ?? 1);
    const gracefulStopMs = durationMs(config.gracefulStop, GRACEFUL_STOP_DEFAULT_MS);
    return {
      plannedMs,
      gracefulStopMs,
      maxVUs: vus,
      async run(ctx) {
        if (vus === 0) return void (await ctx.sleep(plannedMs));
        await runFixedVUs(ctx, {
          vus,
          plannedMs,
          gracefulStopMs,
          stage: 'steady',
          moreFor: () => () => true,
        });
      },
    };
  },
};

registerExecutor(constantVUs);
