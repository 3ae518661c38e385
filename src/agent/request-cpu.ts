import { createHook, type AsyncHook } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { LongIntervals } from './sampled-cpu.js';

/** What the clock charges: a request's context (RequestContext carries the counter). */
export interface CpuAccount {
  /** Milliseconds the main thread spent running this request's synchronous code so far. */
  cpuMs: number;
  /** The request's sequence number: names it in the log of long intervals. */
  seq: number;
}

/**
 * Which request each recent async resource was created in, by async id modulo the size: 2¹⁸ slots (~3 MB) cover
 * ~1 s of resources at 200k/s (10k req/s × 20). A resource whose slot was reused since (a request waiting longer)
 * misses: its callbacks run uncharged rather than charged to the wrong request (the slot keeps the id to check).
 */
const RING_BITS = 18;
const RING_MASK = (1 << RING_BITS) - 1;

/** Long intervals kept per measured window: 20 bytes each, ~1.3 MB, allocated while the clock runs. */
const LOG_CAPACITY = 1 << 16;

/** Nesting deeper than this is a broken before/after pairing (an exception path): start over. */
const MAX_DEPTH = 1000;

/**
 * Time the hooks only for the requests that begin in a window of `onMs` every `periodMs`, and only until those
 * finish (at most `maxAgeMs`: a longer one, e.g. a stream, is given up, so it cannot keep the hooks on): the other
 * requests carry no CPU figure, and the endpoints table's means and shares are of the timed ones.
 *
 * Why sample requests instead of timing all of them: the hooks' cost is per async callback of the whole process
 * (Node's before/after machinery for every promise), not per timed request, so it falls only with the time they
 * are on. Measured with bench/agent-overhead-paired.ts (A and B side by side on one CPU, one generator alternating
 * between them; A/A resolution: median 1.003, quartiles 0.990–1.010 bare, 1.011, 0.995–1.014 express), CPU per
 * request, agent + CPU profile with attribution on vs off, 16 rounds each, load average 3–6:
 *   - every request timed: bare node:http with 4 awaits +6.6 %, +11.2 %, +5.3 % (three runs), express +3.5 %;
 *   - this duty cycle: bare +0.9 %, +1.2 %, +0.6 %, express +0.0 %, −0.2 % (~9 % of the requests timed);
 *   - a 125 ms window (25 %): bare +3.0 %, express −0.2 % (~23 % timed). Not taken: the heavy endpoint's share in
 *     test/loop/endpoint-cpu.test.ts's service read 94.9–97.3 % with it, 93.8–96.9 % with 10 %, 96.8 % timing
 *     every request (2–3 runs each) — no clear gain in accuracy for about three times the cost.
 * What the full clock's cost is made of (bare, 4 awaits, no profiler): an async hook with empty init/before/after
 * +3.1 %, the clock's hooks with their bodies +5.8 %: Node's machinery calling a before/after hook at all is half of
 * it, a floor for any clock that hooks every callback of every request, which leaves a body under 2 % where this one
 * costs 2.7 % (and the whole read +11.2 % on a busy host). Switching the hooks on and off twice
 * per period shows no cost of its own (plausibly as AsyncLocalStorage keeps V8's promise hooks installed anyway).
 * The hooks stay on while an admitted request runs: with requests lasting a good part of the period (hundreds of
 * ms) they are on most of the time and the cost approaches the full clock's.
 * Statistical error: requests are admitted by the time they begin, not by endpoint, so an endpoint's mean CPU per
 * request is unbiased (unless its traffic beats with the 500 ms period), with a relative standard error of CV/√n
 * over its n timed requests (≈ 10 % of its requests: 1000 requests of an endpoint with CV 1 give ±3 %; an endpoint
 * with 20 requests in the window has ~2 timed ones, or none: its CPU figure is then missing, not zero). Requests
 * longer than `maxAgeMs` are never timed.
 */
export interface DutyCycle {
  periodMs: number;
  onMs: number;
  maxAgeMs: number;
}

/** What the agent uses: 10 % of the requests, in windows spread over the measured window. */
export const AGENT_DUTY_CYCLE: DutyCycle = { periodMs: 500, onMs: 50, maxAgeMs: 5000 };

/**
 * Charges the main thread's time to the request whose code is running: the time between entering a
 * request's context (the `emit('request')` call itself, and every async callback of a resource created while
 * the request's code ran — how AsyncLocalStorage propagates its context: async_hooks `init`, then `before`) and
 * leaving it (`after`).
 *
 * Why this technique (the agent's own mapping) and not a profiler with async-context labels
 * (@datadog/pprof's wall profiler): it needs no native addon in the target, and it measures each timed
 * request exactly instead of sampling its stacks — at a cost of two `performance.now()` reads per callback of a
 * request and a ring lookup for every other callback while the hooks are on (the agent keeps them on only for a
 * sample of the requests: DutyCycle). Why time the intervals rather than join every
 * one to the CPU profile's sample timestamps afterwards: the totals per request are all the endpoints table
 * needs, so nothing has to be buffered for short stretches (no transition log of ~10⁵ entries per second).
 * Measured in bench/agent-overhead-paired.ts (see DutyCycle) and bench/request-cpu-hooks.ts.
 *
 * Wall time is CPU time unless the thread waits for a core (a busy host) or in a synchronous syscall. Waiting
 * for a core makes a stretch at least a scheduler time slice long, so every stretch of at least the sampling
 * period is also logged (typed arrays, bounded) and, once the profile stops, charged the profile's samples
 * inside it instead (sampled-cpu.ts). Time outside any request (parsing the next request's bytes, timers, GC in
 * idle time) stays unattributed.
 *
 * Installed only during the measured window (the CPU profile's start/stop): no cost otherwise.
 */
export class RequestCpuClock {
  private hook: AsyncHook | null = null;
  private current: CpuAccount | undefined;
  private since = 0;
  /** What ran before each entered callback, restored on its exit (preallocated: this runs per callback). */
  private readonly stack: (CpuAccount | undefined)[] = new Array(MAX_DEPTH).fill(undefined);
  private depth = 0;
  /** Intervals at least `longMs` long, for sampled-cpu.ts to charge CPU time instead of wall time. */
  private log: LongIntervals | null = null;
  private longMs = 1;
  /** Long intervals not logged because the log was full (they keep their wall time). */
  overflow = 0;
  /** The hooks (created by `enable`), on only while requests are being timed (see DutyCycle). */
  private hooks: AsyncHook | null = null;
  private duty: DutyCycle | null = null;
  private admitting = false;
  /** Timed requests not finished yet, with when they began (performance.now()). */
  private readonly inFlight = new Map<CpuAccount, number>();
  private timers: NodeJS.Timeout[] = [];

  get enabled(): boolean {
    return this.hooks !== null;
  }

  /**
   * `samplingMs`: the CPU profile's sampling interval; stretches this long or longer (at least 1 ms) are logged.
   * `duty`: time only the requests that begin in its windows (null: every request).
   */
  enable(samplingMs = 1, duty: DutyCycle | null = null): void {
    if (this.hooks) return;
    this.depth = 0;
    this.current = undefined;
    this.longMs = Math.max(1, samplingMs);
    this.overflow = 0;
    this.log = {
      samplingMs,
      seq: new Int32Array(LOG_CAPACITY),
      start: new Float64Array(LOG_CAPACITY),
      end: new Float64Array(LOG_CAPACITY),
      count: 0,
    };
    // The ring of async id → the request it was created in (see RING_BITS): held by the hook's closures only.
    const ids = new Float64Array(1 << RING_BITS);
    const owners = new Array<CpuAccount | undefined>(1 << RING_BITS).fill(undefined);
    // Arrow functions bound once; the bodies are enter/exit inlined (they run for every callback of the process).
    // The request whose callback runs is looked up by async id in the ring that `init` filled, not asked of the
    // AsyncLocalStorage: its getStore() (executionAsyncResource) in `before` measured +17 % CPU per request on a
    // server awaiting 4 times per request, where empty before/after hooks cost +3 %. Through the whole agent
    // (bench/agent-overhead.ts --attribution ab --async-steps 4, load average ~5): median B/A 1.24–1.33 with the
    // ring against 1.43 with getStore() — better, but still far over the agent's 5 % budget in this worst case.
    this.hooks = createHook({
      init: (asyncId: number) => {
        // A resource created while a request's code runs belongs to that request (as AsyncLocalStorage propagates).
        const owner = this.current;
        if (owner === undefined) return;
        const slot = asyncId & RING_MASK;
        ids[slot] = asyncId;
        owners[slot] = owner;
      },
      before: (asyncId: number) => {
        if (this.depth >= MAX_DEPTH) this.depth = 0;
        this.stack[this.depth++] = this.current;
        const slot = asyncId & RING_MASK;
        const next = ids[slot] === asyncId ? owners[slot] : undefined;
        if (next !== this.current) this.switchTo(next);
      },
      after: () => {
        const prev = this.depth > 0 ? this.stack[--this.depth] : undefined;
        if (prev !== this.current) this.switchTo(prev);
      },
    });
    this.duty = duty;
    this.inFlight.clear();
    this.openWindow();
    if (duty === null) return;
    const tick = setInterval(() => this.openWindow(), duty.periodMs);
    tick.unref();
    this.timers.push(tick);
  }

  disable(): void {
    if (!this.hooks) return;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.pause();
    this.hooks = null;
    this.duty = null;
    this.admitting = false;
    this.inFlight.clear();
  }

  /** A request begins: whether it is timed (the clock runs and admits it); `release` it when it ends. */
  admit(account: CpuAccount): boolean {
    if (!this.admitting) return false;
    this.inFlight.set(account, performance.now());
    return true;
  }

  /** A timed request ends: whether its time is complete (the hooks stayed on since it was admitted). */
  release(account: CpuAccount): boolean {
    const complete = this.inFlight.delete(account) && this.hook !== null;
    if (!this.admitting && this.inFlight.size === 0) this.pause();
    return complete;
  }

  /** Hooks on, and requests admitted for the duty cycle's window (for good without one). */
  private openWindow(): void {
    if (this.hooks === null) return;
    if (this.duty !== null) this.giveUpOlderThan(this.duty.maxAgeMs);
    if (this.hook === null) {
      this.depth = 0;
      this.current = undefined;
      this.since = performance.now();
      this.hook = this.hooks;
      this.hook.enable();
    }
    this.admitting = true;
    if (this.duty === null) return;
    const close = setTimeout(() => this.closeWindow(close), this.duty.onMs);
    close.unref();
    this.timers.push(close);
  }

  private closeWindow(timer: NodeJS.Timeout): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.admitting = false;
    if (this.inFlight.size === 0) this.pause();
  }

  private giveUpOlderThan(ms: number): void {
    const limit = performance.now() - ms;
    for (const [account, began] of this.inFlight) if (began < limit) this.inFlight.delete(account);
  }

  /** Hooks off until the next window (requests still in flight lose their timing: release says so). */
  private pause(): void {
    if (this.hook === null) return;
    this.hook.disable();
    this.hook = null;
    this.switchTo(undefined);
    this.stack.fill(undefined);
    this.depth = 0;
    this.inFlight.clear();
  }

  /** The long intervals logged since `enable` (kept until the next `enable`). */
  longIntervals(): LongIntervals | null {
    return this.log;
  }

  /** Code of `account` starts running (nested inside whatever runs now). */
  enter(account: CpuAccount | undefined): void {
    if (this.hook === null) return;
    if (this.depth >= MAX_DEPTH) this.depth = 0;
    this.stack[this.depth++] = this.current;
    if (account !== this.current) this.switchTo(account);
  }

  /** The code entered last returns. */
  exit(): void {
    if (this.hook === null) return;
    const prev = this.depth > 0 ? this.stack[--this.depth] : undefined;
    if (prev !== this.current) this.switchTo(prev);
  }

  /** Brings `account` up to date now (its request is being recorded while its code still runs). */
  settle(account: CpuAccount): void {
    if (this.current !== account) return;
    const now = performance.now();
    this.charge(account, now);
    this.since = now;
  }

  private switchTo(next: CpuAccount | undefined): void {
    const now = performance.now();
    if (this.current !== undefined) this.charge(this.current, now);
    this.current = next;
    this.since = now;
  }

  private charge(account: CpuAccount, now: number): void {
    const ms = now - this.since;
    account.cpuMs += ms;
    if (ms < this.longMs || this.log === null) return;
    const log = this.log;
    if (log.count === LOG_CAPACITY) {
      this.overflow++;
      return;
    }
    log.seq[log.count] = account.seq;
    log.start[log.count] = this.since;
    log.end[log.count++] = now;
  }
}
