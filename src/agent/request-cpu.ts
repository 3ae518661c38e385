import { createHook, type AsyncHook } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

/** What the clock charges: a request's context (RequestContext carries the counter). */
export interface CpuAccount {
  /** Milliseconds the main thread spent running this request's synchronous code so far. */
  cpuMs: number;
}

/** Nesting deeper than this is a broken before/after pairing (an exception path): start over. */
const MAX_DEPTH = 1000;

/**
 * Charges the main thread's time to the request whose code is running: the time between entering a
 * request's context (the `emit('request')` call itself, and every async callback carrying the request's
 * AsyncLocalStorage context: async_hooks `before`) and leaving it (`after`).
 *
 * Why this technique (the agent's own mapping) and not a profiler with async-context labels
 * (@datadog/pprof's wall profiler): it needs no native addon in the target, and it measures every
 * request exactly instead of sampling — at a cost of two `performance.now()` reads per callback of a
 * request and a property check for every other callback. And why time the intervals rather than join the
 * CPU profile's sample timestamps to them afterwards: the totals per request are all the endpoints table
 * needs, so nothing has to be buffered (no transition log of ~10⁵ entries per second, no clock alignment
 * with the profile). Measured in bench/agent-overhead.ts (`--attribution on|off`, A/B/A/B).
 *
 * Synchronous code on the main thread is CPU unless the process waits for a core on a busy host or for a
 * synchronous syscall (fs.readFileSync): then it still holds every other request back, which is what the
 * share is about. Time outside any request (parsing the next request's bytes, timers, GC in idle time)
 * stays unattributed.
 *
 * Installed only during the measured window (the CPU profile's start/stop): no cost otherwise.
 */
export class RequestCpuClock {
  private hook: AsyncHook | null = null;
  private current: CpuAccount | undefined;
  private since = 0;
  private readonly stack: (CpuAccount | undefined)[] = [];

  constructor(private readonly accountOf: () => CpuAccount | undefined) {}

  get enabled(): boolean {
    return this.hook !== null;
  }

  enable(): void {
    if (this.hook) return;
    this.stack.length = 0;
    this.current = undefined;
    this.hook = createHook({
      before: () => this.enter(this.accountOf()),
      after: () => this.exit(),
    });
    this.hook.enable();
  }

  disable(): void {
    if (!this.hook) return;
    this.hook.disable();
    this.hook = null;
    this.switchTo(undefined);
    this.stack.length = 0;
  }

  /** Code of `account` starts running (nested inside whatever runs now). */
  enter(account: CpuAccount | undefined): void {
    if (this.hook === null) return;
    if (this.stack.length >= MAX_DEPTH) this.stack.length = 0;
    this.stack.push(this.current);
    this.switchTo(account);
  }

  /** The code entered last returns. */
  exit(): void {
    if (this.hook === null) return;
    this.switchTo(this.stack.pop());
  }

  /** Brings `account` up to date now (its request is being recorded while its code still runs). */
  settle(account: CpuAccount): void {
    if (this.current !== account) return;
    const now = performance.now();
    account.cpuMs += now - this.since;
    this.since = now;
  }

  private switchTo(next: CpuAccount | undefined): void {
    if (next === this.current) return;
    const now = performance.now();
    if (this.current !== undefined) this.current.cpuMs += now - this.since;
    this.current = next;
    this.since = now;
  }
}
