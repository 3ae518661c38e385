import {
  checkDuration,
  checkInt,
  checkStages,
  durationMs,
  stagesOf,
  sumMs,
  type Stage,
} from './config-check.js';
import { GRACEFUL_STOP_DEFAULT_MS, registerExecutor } from './registry.js';
import type { Executor, ExecutorContext, ExecutorFactory, Vu } from './types.js';
import { runClosedVU, settle } from './vu-loop.js';

export interface RampingVUsConfig {
  startVUs?: number;
  stages: { duration: string | number; target: number }[];
  gracefulRampDown?: string | number;
  gracefulStop?: string | number;
}

/** Planned VUs (whole run) at `ms` after the start: linear between stage targets, as k6 ramps. */
export function vusAt(startVUs: number, stages: readonly Stage[], ms: number): number {
  let from = startVUs;
  let t = 0;
  for (const s of stages) {
    if (ms < t + s.durationMs) return Math.floor(from + ((s.target - from) * (ms - t)) / s.durationMs + 1e-9);
    t += s.durationMs;
    from = s.target;
  }
  return from;
}

const TICK_MS = 50;

/** One VU slot of this generator: its VU, whether its loop runs, and since when it was asked to stop. */
interface Slot {
  vu: Vu | null;
  running: Promise<void> | null;
  stopAskedAt: number;
}

/**
 * k6 `ramping-vus`: the number of looping VUs follows the stages linearly. When the target drops, VUs finish
 * their iteration and stop (interrupted after `gracefulRampDown`); after the last stage, `gracefulStop`.
 */
export const rampingVUs: ExecutorFactory<RampingVUsConfig> = {
  name: 'ramping-vus',
  fields: ['startVUs', 'stages', 'gracefulRampDown'],
  validate(config, path) {
    const errors: string[] = [];
    checkInt(errors, config, path, 'startVUs', 0, false);
    checkStages(errors, config, path);
    checkDuration(errors, config, path, 'gracefulRampDown', false);
    if (errors.length === 0) {
      const most = Math.max(
        (config.startVUs as number | undefined) ?? 1,
        ...stagesOf(config).map((s) => s.target),
      );
      if (most < 1)
        errors.push(
          `${path ? `${path}.` : ''}stages: at least one stage (or startVUs) must have a target ≥ 1`,
        );
    }
    return errors;
  },
  maxVUs: (config) => Math.max(config.startVUs ?? 1, ...config.stages.map((s) => s.target)),
  create(config, segment): Executor {
    const stages = stagesOf(config as unknown as Record<string, unknown>);
    const startVUs = config.startVUs ?? 1;
    const plannedMs = sumMs(stages);
    const rampDownMs = durationMs(config.gracefulRampDown, GRACEFUL_STOP_DEFAULT_MS);
    const gracefulStopMs = durationMs(config.gracefulStop, GRACEFUL_STOP_DEFAULT_MS);
    const maxVUs = segment.share(Math.max(startVUs, ...stages.map((s) => s.target)));
    return {
      plannedMs,
      gracefulStopMs,
      maxVUs,
      async run(ctx: ExecutorContext) {
        const start = performance.now();
        const deadline = start + plannedMs;
        const slots: Slot[] = [];
        let target = 0;
        let allocated = 0;
        let active = 0;
        const loops = new Set<Promise<void>>();
        const stageOf = (ms: number) => {
          let t = 0;
          let from = startVUs;
          for (const s of stages) {
            if (ms < t + s.durationMs)
              return from === s.target ? `holding ${s.target}` : `ramping ${from}→${s.target}`;
            t += s.durationMs;
            from = s.target;
          }
          return `holding ${from}`;
        };
        const startSlot = (j: number) => {
          const slot = slots[j];
          if (!slot.vu) {
            slot.vu = ctx.newVU();
            ctx.setAllocated(++allocated);
          }
          const vu = slot.vu;
          slot.stopAskedAt = 0;
          ctx.setVUs(++active);
          const p = runClosedVU(
            ctx,
            vu,
            () => j < target && slot.vu === vu && performance.now() < deadline,
          ).then(() => {
            ctx.setVUs(--active);
            slot.running = null;
            loops.delete(p);
          });
          slot.running = p;
          loops.add(p);
        };
        const tick = () => {
          const now = performance.now();
          target = now >= deadline ? 0 : segment.share(vusAt(startVUs, stages, now - start));
          ctx.setStage(stageOf(now - start));
          while (slots.length < target) slots.push({ vu: null, running: null, stopAskedAt: 0 });
          for (let j = 0; j < slots.length; j++) {
            const slot = slots[j];
            if (j < target) {
              slot.stopAskedAt = 0;
              if (!slot.running) startSlot(j);
            } else if (slot.running && now < deadline) {
              // Ramping down: the VU stops after its iteration; interrupt it when that takes too long.
              if (slot.stopAskedAt === 0) slot.stopAskedAt = now;
              else if (now - slot.stopAskedAt >= rampDownMs && slot.vu) {
                slot.vu.close();
                slot.vu = null;
              }
            }
          }
        };
        tick();
        while (performance.now() < deadline && !ctx.stopped()) {
          await ctx.sleep(Math.min(TICK_MS, deadline - performance.now()));
          tick();
        }
        target = 0;
        const running = (async () => {
          while (loops.size > 0) await Promise.all([...loops]);
        })();
        await settle(
          running,
          () => slots.flatMap((s) => (s.vu && s.running ? [s.vu] : [])),
          deadline,
          gracefulStopMs,
        );
        ctx.setVUs(0);
      },
    };
  },
};

registerExecutor(rampingVUs);
