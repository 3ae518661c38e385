import type { RunRecord } from '../../core/run.js';
import { distributionFromHistogram, mergeDistributions, quantile } from '../stats/distribution.js';
import type { ComparisonMetric } from './compare-runs.js';

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * A side's headline value of a metric: the number every other table prints for the same runs. One run: its own
 * summary (p95 of the whole run, its req/s …). Several runs: the exact pool (merged histograms, total requests
 * over total seconds). The statistics use one-second units (and drop a partial last second), which moves a
 * pooled percentile a little; the comparison shows this number so the tables agree, and its interval and
 * verdict come from the units.
 */
export function headlineValue(metric: ComparisonMetric, runs: readonly RunRecord[]): number | null {
  // Records from before the memory phase had seconds a snapshot paused; their headline includes those seconds
  // and the statistics do not: the statistics' own value is the honest one there.
  if (runs.length === 0 || runs.some((r) => r.intervals.some((i) => i.disturbed))) return null;
  const sum = (f: (r: RunRecord) => number) => runs.reduce((s, r) => s + f(r), 0);
  switch (metric) {
    case 'p50_latency_ms':
    case 'p95_latency_ms':
    case 'p99_latency_ms': {
      const p = metric === 'p50_latency_ms' ? 50 : metric === 'p95_latency_ms' ? 95 : 99;
      if (runs.length === 1) {
        const d = runs[0].metrics.http_req_duration;
        return p === 50 ? d.p50 : p === 95 ? d.p95 : d.p99;
      }
      const merged = mergeDistributions(runs.map((r) => distributionFromHistogram(r.histograms.http_req_duration)));
      const v = quantile(merged, p);
      return Number.isFinite(v) ? r3(v) : null;
    }
    case 'throughput_rps': {
      const seconds = sum((r) => r.run.durationS);
      return seconds > 0 ? Math.round((sum((r) => r.metrics.http_reqs.count) / seconds) * 100) / 100 : null;
    }
    case 'error_rate': {
      const n = sum((r) => r.metrics.http_reqs.count);
      return n > 0 ? sum((r) => r.metrics.http_req_failed.count) / n : null;
    }
    case 'cpu_pct':
      return runs.every((r) => r.metrics.cpu) ? Math.round((sum((r) => r.metrics.cpu!.meanPct) / runs.length) * 10) / 10 : null;
    case 'cpu_ms_per_request':
      return runs.every((r) => r.efficiency?.cpuMsPerRequest != null)
        ? r3(sum((r) => r.efficiency!.cpuMsPerRequest!) / runs.length)
        : null;
    case 'memory_mb':
      return null; // mean RSS over the window is its own metric: the statistics' value is the headline
  }
}
