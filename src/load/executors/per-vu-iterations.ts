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

export type PerVUIterationsConfig = IterationsConfig;

/** k6 `per-vu-iterations`: each VU runs exactly `iterations` iterations (bounded by `maxDuration`). */
export const perVUIterations: ExecutorFactory<PerVUIterationsConfig> = {
  name: 'per-vu-iterations',
  fields: ITERATIONS_FIELDS,
  validate(config, path) {
    const errors = checkIterationsConfig(config, path);
    return errors;
  },
  maxVUs: (config) => config.vus ?? 1,
  create(config, segment): Executor {
    const vus = segment.share(config.vus ?? 1);
    const iterations = config.iterations ?? 1;
    const plannedMs = durationMs(config.maxDuration, MAX_DURATION_DEFAULT_MS);
    const gracefulStopMs = durationMs(config.gracefulStop, GRACEFUL_STOP_DEFAULT_MS);
    return {
      plannedMs,
      gracefulStopMs,
      maxVUs: vus,
      async run(ctx) {
        if (vus === 0) return;
        await runFixedVUs(ctx, {
          vus,
          plannedMs,
          gracefulStopMs,
          stage: `${vus} VUs × ${iterations} iterations`,
          moreFor: () => {
            let left = iterations; // a count per VU
            return () => left-- > 0;
          },
        });
      },
    };
  },
};

registerExecutor(perVUIterations);
