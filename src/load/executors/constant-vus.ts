import { parseDuration } from '../duration.js';
import { registerExecutor } from './registry.js';
import type { Executor, ExecutorContext, ExecutorFactory } from './types.js';
import { runVU } from './vu-loop.js';

export interface ConstantVUsConfig {
  vus: number;
  /** k6 duration ("30s") or ms as a number. */
  duration: string | number;
}

/** k6 `constant-vus`: a fixed number of VUs loop for a fixed time (a closed model). */
export const constantVUs: ExecutorFactory<ConstantVUsConfig> = {
  name: 'constant-vus',
  validate(config, path) {
    const errors: string[] = [];
    const vus = config.vus;
    if (!(typeof vus === 'number' && Number.isInteger(vus) && vus >= 1)) errors.push(`${path}.vus: must be an integer ≥ 1`);
    const d = config.duration;
    if (!(typeof d === 'number' ? d >= 0 : typeof d === 'string' && parseDuration(d) !== undefined))
      errors.push(`${path}.duration: must be a duration like "30s"`);
    return errors;
  },
  create(config): Executor {
    const durationMs = typeof config.duration === 'number' ? config.duration : parseDuration(config.duration)!;
    return {
      plannedMs: durationMs,
      maxVUs: config.vus,
      async run(ctx: ExecutorContext) {
        const deadline = performance.now() + durationMs;
        const keepGoing = () => performance.now() < deadline;
        ctx.setVUs(config.vus);
        const vus = Array.from({ length: config.vus }, () => runVU(ctx, ctx.newConnection(), keepGoing));
        await Promise.all(vus);
        ctx.setVUs(0);
      },
    };
  },
};

registerExecutor(constantVUs);
