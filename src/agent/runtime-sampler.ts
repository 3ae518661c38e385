import { getHeapStatistics } from 'node:v8';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { AgentSample, EventLoopDelayMs } from './protocol.js';
import { hrtimeOffsetMs } from './sampled-cpu.js';

const RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

/** Own-work windows kept (for GC entries, which arrive a tick later, and for the CPU profile's samples). */
const WINDOWS_KEPT = 20_000;

interface DelayPart extends EventLoopDelayMs {
  count: number;
}

/**
 * Process gauges read once per sample: memory, event-loop delay (monitorEventLoopDelay at 10 ms
 * resolution, reset every sample) and GC pauses (PerformanceObserver 'gc') since the last sample.
 *
 * The agent's own blocking work (a heap snapshot, a forced GC, serialising a profile) is left out: the
 * event-loop delay it causes is dropped and the GCs it runs are not counted as the service's pauses —
 * otherwise measuring would show up as the service's bottleneck.
 */
export class RuntimeSampler {
  private readonly delay: IntervalHistogram;
  private gcObserver: PerformanceObserver | null = null;
  private gc = { count: 0, pauseMs: 0, maxPauseMs: 0 };
  /** Lowest heap used seen just after a GC this interval: the live heap, without the garbage sawtooth. */
  private heapAfterGc: number | null = null;
  /** performance.now() windows of the agent's own work, in order. */
  private ownWindows: { start: number; end: number }[] = [];
  /** process.hrtime in ms minus performance.now(): the CPU profile's clock is hrtime (µs). */
  private readonly hrOffsetMs = hrtimeOffsetMs();
  /** Delay measured this interval before own work interrupted it. */
  private beforeOwnWork: DelayPart | null = null;
  /** Set after own work until the monitor has recorded (and we have dropped) the block it caused. */
  private dropPending: NodeJS.Timeout | null = null;

  constructor() {
    this.delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  }

  start(): void {
    this.delay.enable();
    try {
      this.gcObserver = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (this.isOwnWork(entry.startTime)) continue;
          this.gc.count++;
          this.gc.pauseMs += entry.duration;
          if (entry.duration > this.gc.maxPauseMs) this.gc.maxPauseMs = entry.duration;
        }
        const used = getHeapStatistics().used_heap_size;
        if (this.heapAfterGc === null || used < this.heapAfterGc) this.heapAfterGc = used;
      });
      this.gcObserver.observe({ entryTypes: ['gc'] });
    } catch {
      this.gcObserver = null; // GC stats are optional
    }
  }

  /**
   * Runs the agent's own work, keeping it out of the service's measurements. The monitor records a block
   * when its overdue timer fires in the next timers phase, so the histogram is reset a little after the
   * work ends; the delay measured before the work started is kept for this interval's sample.
   */
  async ownWork<T>(work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    this.beforeOwnWork = combine(this.beforeOwnWork, this.readDelayPart());
    try {
      return await work();
    } finally {
      if (this.ownWindows.length >= WINDOWS_KEPT) this.ownWindows.splice(0, WINDOWS_KEPT / 2);
      this.ownWindows.push({ start, end: performance.now() });
      if (this.dropPending) clearTimeout(this.dropPending);
      this.dropPending = setTimeout(() => this.dropOwnDelay(), RESOLUTION_MS + 5);
      this.dropPending.unref();
    }
  }

  private isOwnWork(t: number): boolean {
    for (let i = this.ownWindows.length - 1; i >= 0; i--) {
      const w = this.ownWindows[i];
      if (w.end < t) return false; // windows are in order: every earlier one ended before t too
      if (t >= w.start) return true;
    }
    return false;
  }

  /**
   * Own-work windows that overlap a CPU profile running from `startUs` to `endUs` (V8's clock: hrtime µs),
   * as [start, end] µs since the profile's start — the samples to leave out of the service's profile.
   */
  ownWorkWithin(startUs: number, endUs: number): [number, number][] {
    const out: [number, number][] = [];
    for (const w of this.ownWindows) {
      const a = (w.start + this.hrOffsetMs) * 1000 - startUs;
      const b = (w.end + this.hrOffsetMs) * 1000 - startUs;
      if (b >= 0 && a <= endUs - startUs) out.push([Math.max(0, Math.round(a)), Math.round(b)]);
    }
    return out;
  }

  private dropOwnDelay(): void {
    this.dropPending = null;
    this.delay.reset();
  }

  stop(): void {
    if (this.dropPending) clearTimeout(this.dropPending);
    this.dropPending = null;
    this.delay.disable();
    this.gcObserver?.disconnect();
    this.gcObserver = null;
  }

  /** The sample, minus pools (the caller adds those); resets the per-interval counters. */
  take(): Omit<AgentSample, 'pools'> {
    const memory = process.memoryUsage();
    if (this.dropPending) {
      // Own work just ended: what the histogram holds now includes its block.
      clearTimeout(this.dropPending);
      this.dropOwnDelay();
    }
    const delay = combine(this.beforeOwnWork, this.readDelayPart());
    this.beforeOwnWork = null;
    const eventLoopDelay: EventLoopDelayMs = {
      min: delay.min,
      mean: delay.mean,
      meanSquare: delay.meanSquare,
      p50: delay.p50,
      p99: delay.p99,
      max: delay.max,
    };
    const gc = this.gc;
    this.gc = { count: 0, pauseMs: 0, maxPauseMs: 0 };
    const heapAfterGc = this.heapAfterGc;
    this.heapAfterGc = null;
    return {
      t: Date.now(),
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      rss: memory.rss,
      eventLoopDelay,
      gc,
      heapAfterGc,
    };
  }

  /**
   * The histogram records the full interval between timer ticks, so an idle loop reads ~10 ms; the
   * delay is what exceeds the resolution (the convention of @fastify/under-pressure and clinic).
   * Reads and resets.
   */
  private readDelayPart(): DelayPart {
    const h = this.delay;
    const ms = (ns: number) => Math.max(0, ns / NS_PER_MS - RESOLUTION_MS);
    const result =
      h.count === 0
        ? { min: 0, mean: 0, meanSquare: 0, p50: 0, p99: 0, max: 0, count: 0 }
        : {
            min: ms(h.min),
            mean: ms(h.mean),
            // E[d²] = Var + E[d]²: the spread of the ticks is the spread of their delays.
            meanSquare: (h.stddev / NS_PER_MS) ** 2 + ms(h.mean) ** 2,
            p50: ms(h.percentile(50)),
            p99: ms(h.percentile(99)),
            max: ms(h.max),
            count: h.count,
          };
    h.reset();
    return result;
  }
}

/**
 * One interval's delay from its parts before and after own work. Means combine exactly; the median is
 * count-weighted and p99 the larger one — approximations, on the side of reporting a delay.
 */
function combine(a: DelayPart | null, b: DelayPart): DelayPart {
  if (!a || a.count === 0) return b;
  if (b.count === 0) return a;
  const n = a.count + b.count;
  return {
    min: Math.min(a.min, b.min),
    mean: (a.mean * a.count + b.mean * b.count) / n,
    meanSquare: ((a.meanSquare ?? a.mean ** 2) * a.count + (b.meanSquare ?? b.mean ** 2) * b.count) / n,
    p50: (a.p50 * a.count + b.p50 * b.count) / n,
    p99: Math.max(a.p99, b.p99),
    max: Math.max(a.max, b.max),
    count: n,
  };
}
