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
  /** What ran before each entered callback, restored on its exit (preallocated: this runs per callback). */
  private readonly stack: (CpuAccount | undefined)[] = new Array(MAX_DEPTH).fill(undefined);
  private depth = 0;

  constructor(private readonly accountOf: () => CpuAccount | undefined) {}

  get enabled(): boolean {
    return this.hook !== null;
  }

  enable(): void {
    if (this.hook) return;
    this.depth = 0;
    this.current = undefined;
    // Arrow functions bound once; the bodies are enter/exit inlined (they run for every callback of the process).
    const accountOf = this.accountOf;
    this.hook = createHook({
      before: () => {
        if (this.depth >= MAX_DEPTH) this.depth = 0;
        this.stack[this.depth++] = this.current;
        const next = accountOf();
        if (next !== this.current) this.switchTo(next);
      },
      after: () => {
        const prev = this.depth > 0 ? this.stack[--this.depth] : undefined;
        if (prev !== this.current) this.switchTo(prev);
      },
    });
    this.hook.enable();
  }

  disable(): void {
    if (!this.hook) return;
    this.hook.disable();
    this.hook = null;
    this.switchTo(undefined);
    this.stack.fill(undefined);
    this.depth = 0;
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
    account.cpuMs += now - this.since;
    this.since = now;
  }

  private switchTo(next: CpuAccount | undefined): void {
    const now = performance.now();
    if (this.current !== undefined) this.current.cpuMs += now - this.since;
    this.current = next;
    this.since = now;
  }
}
