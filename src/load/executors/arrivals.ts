import type { ArrivalSchedule } from './arrival-schedule.js';
import type { ExecutorContext, Vu } from './types.js';
import { settle } from './vu-loop.js';

/** An iteration that starts this much later than intended counts as late. */
export const LATE_MS = 10;
/**
 * Timers fire up to ~1 ms after their time (Node's loop clock is coarse), which would make every arrival a
 * little late. So the scheduler wakes this much early and starts arrivals due within it; one started early is
 * timed from its actual send (never from before it).
 */
const EARLY_MS = 1;
/** The scheduler re-checks at least this often (Ctrl-C, the end) even when the next arrival is far away. */
const MAX_WAIT_MS = 250;

export interface ArrivalOptions {
  schedule: ArrivalSchedule;
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStopMs: number;
  /** Stage label at `ms` after the start. */
  stage: (ms: number) => string;
}

/**
 * The open model shared by both arrival-rate executors. Iterations start at their intended times whatever the
 * target's latency; each needs a free VU. When every VU is busy (up to maxVUs) the iteration waits — it is
 * *late*, and since latency is measured from the intended time, the wait is in the latency (coordinated-omission
 * correct, as wrk2 measures; the uncorrected figure is kept beside it). The backlog is a counter, not a queue:
 * intended times are computed from the schedule, so a long stall costs no memory. Iterations still waiting when
 * the duration ends are *dropped* (k6's dropped_iterations).
 */
export async function runArrivals(ctx: ExecutorContext, o: ArrivalOptions): Promise<void> {
  const { schedule } = o;
  const { segment } = ctx;
  const start = performance.now();
  const end = start + schedule.durationMs;
  const scheduled = segment.share(schedule.countBefore(schedule.durationMs));
  const all: Vu[] = [];
  const idle: Vu[] = [];
  const allocate = (): Vu | undefined => {
    if (all.length >= o.maxVUs) return undefined;
    const vu = ctx.newVU();
    all.push(vu);
    ctx.setAllocated(all.length);
    return vu;
  };
  for (let i = 0; i < Math.min(o.preAllocatedVUs, o.maxVUs); i++) idle.push(allocate()!);

  let local = 0; // this segment's next iteration
  let started = 0;
  let late = 0;
  let active = 0;
  let finished = false;
  let draining = false;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Infinity;
  let stoppedAt = Infinity;
  let resolveAll!: () => void;
  const allDone = new Promise<void>((r) => (resolveAll = r));
  let resolveFinished!: () => void;
  const finishedScheduling = new Promise<void>((r) => (resolveFinished = r));
  const nextAt = () => start + schedule.at(segment.globalIndex(local));

  const onDone = (vu: Vu) => (_ok: boolean) => {
    active--;
    if (finished) {
      ctx.setVUs(active);
      if (active === 0) resolveAll();
      return;
    }
    idle.push(vu);
    if (!draining) drain();
    ctx.setVUs(active);
  };

  /** Starts every iteration that is due and has (or can get) a VU; arms the timer for the next one. */
  const drain = (): void => {
    draining = true;
    const now = performance.now();
    let t = nextAt();
    if (!ctx.stopped()) {
      // Also at the end: arrivals that were due before it still start when a VU is free (a late timer is
      // the generator's delay, not a reason to drop them); only those without a VU are dropped.
      while (t <= now + EARLY_MS && t < end) {
        const vu = idle.pop() ?? allocate();
        if (!vu) break; // every VU busy: the iteration waits (late) for the next one to free up
        local++;
        started++;
        const lateMs = Math.max(0, now - t);
        if (lateMs > LATE_MS) late++;
        active++;
        vu.iterate(lateMs, onDone(vu));
        t = nextAt();
      }
    }
    ctx.setVUs(active);
    draining = false;
    if (ctx.stopped() || now >= end) return finish();
    const due = Math.min(t > now + EARLY_MS ? t - EARLY_MS : end, end, now + MAX_WAIT_MS);
    if (due < timerDue || timer === undefined) {
      if (timer) clearTimeout(timer);
      timerDue = due;
      timer = setTimeout(onTimer, Math.max(0, due - now));
    }
  };
  const onTimer = () => {
    timer = undefined;
    timerDue = Infinity;
    drain();
  };
  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (ctx.stopped()) stoppedAt = performance.now();
    resolveFinished();
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (active === 0) resolveAll();
  };

  ctx.setStage(o.stage(0));
  const stageTimer = setInterval(() => ctx.setStage(o.stage(performance.now() - start)), 500);
  drain();
  await finishedScheduling;
  clearInterval(stageTimer);
  // An interrupted run only owed the iterations meant to start before the interruption.
  const owed = stoppedAt < end ? segment.share(schedule.countBefore(stoppedAt - start)) : scheduled;
  const dropped = Math.max(0, owed - started);
  if (dropped > 0) ctx.recorder.metrics.add('dropped_iterations', dropped, { scenario: ctx.scenario });
  if (late > 0) ctx.recorder.metrics.add('late_iterations', late, { scenario: ctx.scenario });
  ctx.reportArrivals({
    scenario: ctx.scenario,
    scheduled,
    started,
    late,
    dropped,
    durationMs: schedule.durationMs,
  });
  await settle(allDone, () => all, end, o.gracefulStopMs);
  ctx.setVUs(0);
}
