import type { RunMetrics, TimelinePoint } from '../core/run.js';
import type { AgentSample } from '../agent/collector.js';
import type { ProcTreeSample } from '../target/index.js';
import { latencySummary, type LoadResult } from '../load/result.js';
import { memoryTrend, type MemoryPoint } from '../memory/timeline.js';
import type { RateSink } from '../core/metric.js';

const MB = 1024 * 1024;
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

function percentileOf(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/**
 * Heap points for the leak trend: the heap right after GCs (the live heap) when there are enough of them,
 * otherwise every sample's heap used (with the garbage sawtooth that a robust slope has to see through).
 */
export function heapPoints(agent: readonly AgentSample[], probes: readonly MemoryPoint[] = []): MemoryPoint[] {
  if (probes.length >= 5) return [...probes];
  const afterGc = agent.filter((s) => s.heapAfterGc !== null).map((s) => ({ t: s.t, value: s.heapAfterGc! }));
  return afterGc.length >= 8 ? afterGc : agent.map((s) => ({ t: s.t, value: s.heapUsed }));
}

/** The run's metrics in the `perfloop/run@1` shape, from the load, /proc and the agent. */
export function runMetrics(load: LoadResult, proc: readonly ProcTreeSample[], agent: readonly AgentSample[], probes: readonly MemoryPoint[] = []): RunMetrics {
  const failed = load.failed;
  const noResponse = (load.metrics.aggregate('http_req_failed', { status: '0' }) as RateSink | undefined)?.passes ?? 0;
  const cpu = proc.filter((s) => Number.isFinite(s.cpuPct));
  const heapTrend = memoryTrend(heapPoints(agent, probes), probes.length >= 5 ? { minWarmupMs: 0, warmupFraction: 0 } : {});
  return {
    http_req_duration: latencySummary(load.latency()),
    http_reqs: { count: load.requests, rate: r2(load.rate) },
    http_req_failed: { rate: failed.rate, count: failed.passes, noResponse },
    cpu: cpu.length > 0 ? { meanPct: r1(cpu.reduce((a, s) => a + s.cpuPct, 0) / cpu.length), maxPct: r1(Math.max(...cpu.map((s) => s.cpuPct))) } : null,
    memory:
      proc.length > 0
        ? {
            rssStartMb: r1(proc[0].rssBytes / MB),
            rssEndMb: r1(proc[proc.length - 1].rssBytes / MB),
            rssMaxMb: r1(Math.max(...proc.map((s) => s.rssBytes)) / MB),
            heapUsedSlopeMbPerMin: heapTrend ? heapTrend.mbPerMin : null,
          }
        : null,
    event_loop_delay:
      agent.length > 0
        ? {
            // Per-window percentiles cannot be merged; their median is the typical window's value, where a
            // "p99 of p99s" over a few dozen windows is only the maximum.
            p50: r2(percentileOf(agent.map((s) => s.eventLoopDelay.p50), 50)),
            p99: r2(percentileOf(agent.map((s) => s.eventLoopDelay.p99), 50)),
            max: r2(Math.max(...agent.map((s) => s.eventLoopDelay.max))),
          }
        : null,
  };
}

/** One point per second since `t0` (epoch ms): the last proc/agent sample of each second. */
export function timeline(t0: number, proc: readonly ProcTreeSample[], agent: readonly AgentSample[], probes: readonly MemoryPoint[] = []): TimelinePoint[] {
  const points = new Map<number, TimelinePoint>();
  const at = (t: number) => {
    const s = Math.max(0, Math.floor((t - t0) / 1000));
    let p = points.get(s);
    if (!p) points.set(s, (p = { t: s, rssMb: null, heapUsedMb: null, liveHeapMb: null, cpuPct: null, eventLoopP99Ms: null }));
    return p;
  };
  for (const s of proc) {
    const p = at(s.t);
    p.rssMb = r1(s.rssBytes / MB);
    p.cpuPct = r1(s.cpuPct);
  }
  for (const s of agent) {
    const p = at(s.t);
    p.heapUsedMb = r1(s.heapUsed / MB);
    p.eventLoopP99Ms = r2(s.eventLoopDelay.p99);
  }
  for (const s of probes) at(s.t).liveHeapMb = r1(s.value / MB);
  return [...points.values()].sort((a, b) => a.t - b.t);
}
