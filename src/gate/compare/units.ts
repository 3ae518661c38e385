import type { IntervalRecord, RunRecord } from '../../core/run.js';
import { distributionFromHistogram, mergeDistributions, type Distribution } from '../stats/distribution.js';
import type { LatencyUnits, MeanUnits, RatioUnits } from '../stats/sample-compare.js';

/**
 * The units the statistics compare, taken from run records. With few runs per side the unit is the
 * one-second interval (pooled across the side's runs, grouped by run for the bootstrap); with enough
 * repeated runs it is the run itself, which also absorbs whatever differs between runs (warm-up, machine
 * state) instead of mistaking it for signal.
 */
export type SampleUnit = 'interval' | 'run';

/** With this many runs on each side the runs themselves are the units. */
export const RUNS_AS_UNITS = 8;

export function sampleUnitFor(before: readonly RunRecord[], after: readonly RunRecord[]): SampleUnit {
  return before.length >= RUNS_AS_UNITS && after.length >= RUNS_AS_UNITS ? 'run' : 'interval';
}

/**
 * Seconds with requests that the measurement did not disturb (a heap snapshot pausing the service); the
 * final, partial second is dropped when it holds under half a typical second.
 */
export function usableIntervals(r: RunRecord): IntervalRecord[] {
  const withRequests = r.intervals.filter((i) => i.count > 0 && !i.disturbed);
  if (withRequests.length < 3) return withRequests;
  const sorted = withRequests.map((i) => i.count).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const last = withRequests[withRequests.length - 1];
  return last.count < median / 2 ? withRequests.slice(0, -1) : withRequests;
}

/** Full, undisturbed seconds for throughput: the last interval is partial by construction. */
function fullSeconds(r: RunRecord): IntervalRecord[] {
  const full = r.intervals.length >= 3 ? r.intervals.slice(0, -1) : r.intervals;
  return full.filter((i) => !i.disturbed);
}

const decodeCache = new WeakMap<IntervalRecord, Distribution>();
function dist(i: IntervalRecord): Distribution {
  let d = decodeCache.get(i);
  if (!d) decodeCache.set(i, (d = distributionFromHistogram(i.histogram)));
  return d;
}

export function latencyUnits(runs: readonly RunRecord[], unit: SampleUnit): LatencyUnits {
  const dists: Distribution[] = [];
  const groups: number[] = [];
  runs.forEach((r, g) => {
    const intervals = usableIntervals(r);
    const parts =
      intervals.length > 0
        ? intervals.map(dist)
        : [distributionFromHistogram(r.histograms.http_req_duration)];
    const units = unit === 'run' ? [mergeDistributions(parts)] : parts;
    for (const d of units) {
      dists.push(d);
      groups.push(g);
    }
  });
  return { dists, groups };
}

export function throughputUnits(runs: readonly RunRecord[], unit: SampleUnit): MeanUnits {
  if (unit === 'run')
    return { values: runs.map((r) => r.metrics.http_reqs.rate), groups: runs.map((_, g) => g) };
  const values: number[] = [];
  const groups: number[] = [];
  runs.forEach((r, g) => {
    const secs = fullSeconds(r);
    for (const v of secs.length === 0 ? [r.metrics.http_reqs.rate] : secs.map((i) => i.count)) {
      values.push(v);
      groups.push(g);
    }
  });
  return { values, groups };
}

export function errorUnits(runs: readonly RunRecord[], unit: SampleUnit): RatioUnits {
  const u: RatioUnits = { num: [], den: [], groups: [] };
  runs.forEach((r, g) => {
    const parts =
      unit === 'run' || r.intervals.length === 0
        ? [{ errors: r.metrics.http_req_failed.count, count: r.metrics.http_reqs.count }]
        : r.intervals.filter((i) => i.count > 0);
    for (const p of parts) {
      u.num.push(p.errors);
      u.den.push(p.count);
      u.groups.push(g);
    }
  });
  return u;
}

/** Per-second resource samples from the run's timeline (RSS MB or CPU %), or the run's mean when there is no timeline. */
export function resourceUnits(
  runs: readonly RunRecord[],
  unit: SampleUnit,
  pick: 'rssMb' | 'cpuPct',
): MeanUnits {
  const values: number[] = [];
  const groups: number[] = [];
  runs.forEach((r, g) => {
    const points = measuredTimeline(r)
      .map((p) => p[pick])
      .filter((x): x is number => x !== null && Number.isFinite(x));
    const fallback =
      pick === 'cpuPct'
        ? r.metrics.cpu?.meanPct
        : r.metrics.memory
          ? (r.metrics.memory.rssStartMb + r.metrics.memory.rssEndMb) / 2
          : undefined;
    const own =
      points.length === 0
        ? fallback === undefined
          ? []
          : [fallback]
        : unit === 'run'
          ? [points.reduce((a, b) => a + b, 0) / points.length]
          : points;
    for (const v of own) {
      values.push(v);
      groups.push(g);
    }
  });
  return { values, groups };
}

/** Timeline points of the measured window (a memory phase after it continues the timeline, unmeasured). */
function measuredTimeline(r: RunRecord) {
  const end = r.run.durationS > 0 ? r.run.durationS : Infinity;
  return (r.timeline ?? []).filter((p) => p.t < end);
}

/**
 * Target CPU milliseconds per request: per second, the timeline's CPU % of that second (×10 = ms of CPU) over
 * the requests completed in it; per run, the run's mean CPU over its throughput.
 */
export function cpuPerRequestUnits(runs: readonly RunRecord[], unit: SampleUnit): MeanUnits {
  const values: number[] = [];
  const groups: number[] = [];
  runs.forEach((r, g) => {
    if (unit === 'run') {
      if (r.metrics.cpu && r.metrics.http_reqs.rate > 0) {
        values.push((r.metrics.cpu.meanPct * 10) / r.metrics.http_reqs.rate);
        groups.push(g);
      }
      return;
    }
    const counts = new Map(fullSeconds(r).map((i) => [i.t, i.count]));
    for (const p of measuredTimeline(r)) {
      const n = counts.get(p.t);
      if (p.cpuPct === null || !Number.isFinite(p.cpuPct) || !n) continue;
      values.push((p.cpuPct * 10) / n);
      groups.push(g);
    }
  });
  return { values, groups };
}
