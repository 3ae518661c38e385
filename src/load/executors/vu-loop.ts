import type { ExecutorContext, Vu } from './types.js';

/** After a transport error a VU waits this long before its next iteration, so a dead target is not spun on. */
const ERROR_BACKOFF_MS = 10;

/**
 * One closed-model VU: starts its next iteration as soon as the previous one completes, until `keepGoing()`
 * says stop. Callback-driven (no promise per iteration) because this is the hot loop.
 */
export function runClosedVU(ctx: ExecutorContext, vu: Vu, keepGoing: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    let sync = false;
    let again = false;
    const next = (): void => {
      // An iteration may complete synchronously (a closed connection): loop instead of recursing.
      do {
        again = false;
        if (ctx.stopped() || !keepGoing()) {
          resolve();
          return;
        }
        sync = true;
        vu.iterate(0, onDone);
        sync = false;
      } while (again);
    };
    const onDone = (ok: boolean): void => {
      if (!ok) setTimeout(next, ERROR_BACKOFF_MS);
      else if (sync) again = true;
      else next();
    };
    next();
  });
}

/** A flag that turns true at `deadline` (performance.now() clock). */
export interface DeadlineFlag {
  readonly passed: boolean;
  clear(): void;
}

/**
 * Set by one timer instead of a clock read per iteration: at ~200k iterations/s a `performance.now()` in every
 * VU's keep-going test is measurable. A timer that fires late only lets VUs start iterations a few ms longer.
 */
export function deadlineFlag(deadline: number): DeadlineFlag {
  const flag = { passed: false, clear: () => clearTimeout(timer) };
  const timer = setTimeout(() => (flag.passed = true), Math.max(0, deadline - performance.now()));
  timer.unref();
  return flag;
}

/**
 * The run of the fixed-VU executors (constant-vus, per-vu-iterations, shared-iterations): `vus` VUs loop,
 * each until its `more()` (one per VU, from `moreFor()`) says stop or `plannedMs` pass; then k6's gracefulStop.
 */
export async function runFixedVUs(
  ctx: ExecutorContext,
  o: { vus: number; plannedMs: number; gracefulStopMs: number; stage: string; moreFor: () => () => boolean },
): Promise<void> {
  const deadline = performance.now() + o.plannedMs;
  ctx.setStage(o.stage);
  const list = Array.from({ length: o.vus }, () => ctx.newVU());
  ctx.setAllocated(o.vus);
  let active = o.vus;
  ctx.setVUs(active);
  const over = deadlineFlag(deadline);
  const running = Promise.all(
    list.map(async (vu) => {
      const more = o.moreFor();
      await runClosedVU(ctx, vu, () => more() && !over.passed);
      ctx.setVUs(--active);
    }),
  );
  await settle(running, () => list, deadline, o.gracefulStopMs);
  over.clear();
  ctx.setVUs(0);
}

/**
 * Waits for the scenario's VUs to finish their last iteration, at most until `deadline + gracefulStopMs`
 * (k6's gracefulStop); then interrupts the VUs still busy and waits for them to unwind.
 */
export async function settle(
  running: Promise<unknown>,
  vus: () => Iterable<Vu>,
  deadline: number,
  gracefulStopMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceEnds = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline + gracefulStopMs - performance.now()));
  });
  const first = await Promise.race([running.then(() => 'done' as const), graceEnds]);
  clearTimeout(timer);
  if (first === 'timeout') {
    for (const vu of vus()) vu.close();
    await running;
  }
}
