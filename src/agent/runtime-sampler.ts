import { getHeapStatistics } from 'node:v8';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { AgentSample, EventLoopDelayMs } from './protocol.js';

const RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

/**
 * Process gauges read once per sample: memory, event-loop delay (monitorEventLoopDelay at 10 ms
 * resolution, reset every sample) and GC pauses (PerformanceObserver 'gc') since the last sample.
 */
export class RuntimeSampler {
  private readonly delay: IntervalHistogram;
  private gcObserver: PerformanceObserver | null = null;
  private gc = { count: 0, pauseMs: 0, maxPauseMs: 0 };
  /** Lowest heap used seen just after a GC this interval: the live heap, without the garbage sawtooth. */
  private heapAfterGc: number | null = null;

  constructor() {
    this.delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  }

  start(): void {
    this.delay.enable();
    try {
      this.gcObserver = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
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

  stop(): void {
    this.delay.disable();
    this.gcObserver?.disconnect();
    this.gcObserver = null;
  }

  /** The sample, minus pools (the caller adds those); resets the per-interval counters. */
  take(): Omit<AgentSample, 'pools'> {
    const memory = process.memoryUsage();
    const eventLoopDelay = this.readDelay();
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
   */
  private readDelay(): EventLoopDelayMs {
    const h = this.delay;
    const ms = (ns: number) => Math.max(0, ns / NS_PER_MS - RESOLUTION_MS);
    const result =
      h.count === 0
        ? { min: 0, mean: 0, p50: 0, p99: 0, max: 0 }
        : {
            min: ms(h.min),
            mean: ms(h.mean),
            p50: ms(h.percentile(50)),
            p99: ms(h.percentile(99)),
            max: ms(h.max),
          };
    h.reset();
    return result;
  }
}
