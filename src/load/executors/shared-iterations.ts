import { checkDuration, checkInt, durationMs } from './config-check.js';
import { GRACEFUL_STOP_DEFAULT_MS, registerExecutor } from './registry.js';
import type { Executor, ExecutorFactory } from './types.js';
import { runClosedVU, settle } from './vu-loop.js';

export interface SharedIterationsConfig {
  vus?: number;
  iterations?: number;
  maxDuration?: string | number;
  gracefulStop?: string | number;
}

const MAX_DURATION_DEFAULT_MS = 600_000;

/**
 * k6 `shared-iterations`: `iterations` in total, shared by `vus` VUs (a fast VU does more of them), bounded by
 * `maxDuration`. A segment gets its exact share of the iterations, and at least one VU when it has any.
 */
export const sharedIterations: ExecutorFactory<SharedIterationsConfig> = {
  name: 'shared-iterations',
  fields: ['vus', 'iterations', 'maxDuration'],
  validate(config, path) {
    const errors: string[] = [];
    checkInt(errors, config, path, 'vus', 1, false);
    checkInt(errors, config, path, 'iterations', 1, false);
    checkDuration(errors, config, path, 'maxDuration', false, true);
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
        const deadline = performance.now() + plannedMs;
        ctx.setStage(`${iterations} iterations shared by ${vus} VUs`);
        const list = Array.from({ length: vus }, () => ctx.newVU());
        ctx.setAllocated(vus);
        let left = iterations;
        let active = vus;
        ctx.setVUs(active);
        const running = Promise.all(
          list.map(async (vu) => {
            await runClosedVU(ctx, vu, () => left-- > 0 && performance.now() < deadline);
            ctx.setVUs(--active);
          }),
        );
        await settle(running, () => list, deadline, gracefulStopMs);
        ctx.setVUs(0);
      },
    };
  },
};

registerExecutor(sharedIterations);
