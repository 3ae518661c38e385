import type { Efficiency, HostLoad, RunMetrics } from '../core/run.js';
import type { HostSample } from '../target/host-sampler.js';
import type { ProcTreeSample } from '../target/index.js';

const r1 = (x: number) => Math.round(x * 10) / 10;
const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * The host's other work per second of the measured window: host busy CPU minus the target tree's CPU (from the
 * /proc sampler, averaged over the same second) minus the generator's. Null when the host was not sampled.
 */
export function hostLoad(
  host: readonly HostSample[],
  proc: readonly ProcTreeSample[],
  windowStart: number,
  windowEnd: number,
): HostLoad | null {
  const inWindow = host.filter((h) => h.t > windowStart && h.t <= windowEnd + 500);
  if (inWindow.length === 0) return null;
  const intervals = inWindow.map((h) => {
    const target = proc.filter((p) => p.t > h.t - 1000 && p.t <= h.t && Number.isFinite(p.cpuPct));
    const targetPct = mean(target.map((p) => p.cpuPct));
    return {
      t: Math.max(0, Math.round((h.t - windowStart) / 1000) - 1),
      otherCpuPct: r1(Math.max(0, h.busyPct - targetPct - h.generatorPct)),
      stealPct: h.stealPct,
      loadAvg1: h.loadAvg1,
    };
  });
  return {
    otherCpuPct: r1(mean(intervals.map((i) => i.otherCpuPct))),
    stealPct: r1(mean(intervals.map((i) => i.stealPct))),
    loadAvg1: Math.round(mean(intervals.map((i) => i.loadAvg1)) * 100) / 100,
    generatorCpuPct: r1(mean(inWindow.map((h) => h.generatorPct))),
    intervals,
  };
}

/** CPU ms per request and RSS per 1,000 req/s, from the run's metrics. */
export function efficiency(m: RunMetrics): Efficiency | null {
  const rps = m.http_reqs.rate;
  if (!(rps > 0)) return null;
  return {
    // cpu.meanPct is % of one core: meanPct/100 core-seconds per second, over rps requests per second.
    cpuMsPerRequest: m.cpu ? Math.round(((m.cpu.meanPct / 100) * 1000 * 1000) / rps) / 1000 : null,
    rssMbPerKRps: m.memory ? Math.round((m.memory.rssMaxMb / (rps / 1000)) * 10) / 10 : null,
  };
}
