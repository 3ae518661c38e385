import {
  checkIterationsConfig,
  durationMs,
  ITERATIONS_FIELDS,
  MAX_DURATION_DEFAULT_MS,
  type IterationsConfig,
} from './config-check.js';
import { GRACEFUL_STOP_DEFAULT_MS, registerExecutor } from './registry.js';
import type { Executor, ExecutorFactory } from './types.js';
import { runFixedVUs } from './vu-loop.js';

export type SharedIterationsConfig = IterationsConfig;

/**
 * k6 `shared-iterations`: `iterations` in total, shared by `vus` VUs (a fast VU does more of them), bounded by
 * `maxDuration`. A segment gets its exact share of the iterations, and at least one VU when it has any.
 */
export const sharedIterations: ExecutorFactory<SharedIterationsConfig> = {
  name: 'shared-iterations',
  fields: ITERATIONS_FIELDS,
  validate(config, path) {
    const errors = checkIterationsConfig(config, path);
    if (
      typeof config.vus === 'number' &&
      typeof config.iterations === 'number' &&
      config.iterations < config.vus
    ) {
      errors.push(
        `${path ? `${path}.` : ''}iterations: must be ≥ vus (${config.vus}), got ${config.iterations}`,
      );
    }
    return errors;
  },
  maxVUs: (config) => config.vus ?? 1,
  create(config, segment): Executor {
    const iterations = segment.share(config.iterations ?? 1);
    const vus = iterations === 0 ? 0 : Math.min(iterations, Math.max(1, segment.share(config.vus ?? 1)));
    const plannedMs = durationMs(config.maxDuration, MAX_DURATION_DEFAULT_MS);
    const gracefulStopMs = durationMs(config.gracefulStop, GRACEFUL_STOP_DEFAULT_MS);
    return {
      plannedMs,
      gracefulStopMs,
      maxVUs: vus,
      async run(ctx) {
        if (vus === 0) return;
        let left = iterations; // one count for all VUs
        await runFixedVUs(ctx, {
          vus,
          plannedMs,
          gracefulStopMs,
          stage: `${iterations} iterations shared by ${vus} VUs`,
          moreFor: () => () => left-- > 0,
        });
      },
    };
  },
};

registerExecutor(sharedIterations);
