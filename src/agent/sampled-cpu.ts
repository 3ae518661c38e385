/**
 * CPU time, not wall time, for the long stretches of a request's code: the V8 CPU profile's samples
 * (`.cpuprofile`: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile — `startTime` and
 * `timeDeltas` in µs of the monotonic clock process.hrtime reads) that fall inside each logged interval.
 *
 * Why samples and not the interval's wall time: V8's sampler signals the main thread, and a signal pending while the
 * thread waits for a core is delivered once when it runs again, so the samples land (about) only while the thread
 * runs; an interval that waited for a core on a busy host is long on the wall clock but holds few samples.
 * Why only long intervals: a stretch shorter than the sampling period holds zero or one sample (too coarse to
 * count), while on a busy host a stretch that waited for a core is at least a scheduler time slice long — so the
 * short ones are charged their wall time (they ran through), the long ones their samples.
 */

/** Intervals of request code, in the order they ran (they never overlap: one main thread). */
export interface LongIntervals {
  /** The CPU profile's requested sampling interval; intervals at least this long are logged. */
  samplingMs: number;
  /** Request sequence numbers (RequestContext.seq). */
  seq: Int32Array;
  /** performance.now() ms. */
  start: Float64Array;
  end: Float64Array;
  count: number;
}

export interface SampledProfile {
  startTime: number;
  endTime: number;
  timeDeltas?: number[];
}

/** Gaps between samples longer than this many running periods mean the thread was not running (see below). */
const GAP_FACTOR = 1.5;

/** process.hrtime in ms minus performance.now(): the CPU profile's timestamps are hrtime µs. */
export const hrtimeOffsetMs = (): number => Number(process.hrtime.bigint()) / 1e6 - performance.now();

/**
 * The sampling period while the thread runs: the median of the gaps between samples up to 1.5× the requested
 * interval. Not the median of all gaps: on a busy host they are two populations — the sampler's regular spacing
 * (V8 asks for 1 ms, lands ~1.1 ms) while the thread runs, and gaps of scheduler slices while it waits — and
 * measured with a hog on the same core, the plain median was 2.2 ms where the running spacing was 1.1 ms.
 */
export function runningPeriodMs(deltasUs: readonly number[], requestedMs: number): number {
  const limit = 1.5 * requestedMs * 1000;
  const d = deltasUs.filter((x) => x > 0 && x <= limit).sort((a, b) => a - b);
  return d.length === 0 ? requestedMs : d[Math.floor((d.length - 1) / 2)] / 1000;
}

/**
 * For each request with long intervals: sampled CPU minus the wall time it was charged (≤ 0: it waited for a core
 * that long). An interval is charged min(wall, weighted samples × running period).
 */
export function sampledCpuCorrections(
  intervals: LongIntervals,
  profile: SampledProfile,
  offsetMs: number,
  requestedIntervalMs: number,
): Map<number, number> {
  const out = new Map<number, number>();
  const deltas = profile.timeDeltas ?? [];
  if (deltas.length === 0 || intervals.count === 0) return out;
  const period = runningPeriodMs(deltas, requestedIntervalMs);
  // Sample times on performance.now()'s clock, ascending (timeDeltas are non-negative).
  const times = new Float64Array(deltas.length);
  let t = profile.startTime;
  for (let i = 0; i < deltas.length; i++) times[i] = (t += deltas[i]) / 1000 - offsetMs;
  const [first, last] = [profile.startTime / 1000 - offsetMs, profile.endTime / 1000 - offsetMs];
  // Each sample stands for the running time since the one before it. After a regular gap the thread ran all of
  // it: one period. After a longer gap it waited for a core: the signal stayed pending and was delivered as it
  // resumed, so it ran only from the previous sample until it was preempted — a point uniform within the period
  // that followed, half a period on average. Measured with a hog on the same core (the thread alternating ~1 ms
  // slices with it): counting those as whole periods charged 1.33× the CPU the handler itself measured, as
  // nothing 0.55×.
  const gapUs = GAP_FACTOR * period * 1000;
  let s = 0;
  for (let k = 0; k < intervals.count; k++) {
    const a = intervals.start[k];
    const b = intervals.end[k];
    if (a < first || b > last) continue; // not all inside the profile: its samples cannot tell, wall time stays
    while (s < times.length && times[s] < a) s++;
    let n = 0;
    for (let j = s; j < times.length && times[j] <= b; j++) n += deltas[j] <= gapUs ? 1 : 0.5;
    const wall = b - a;
    const cpu = Math.min(wall, n * period);
    if (cpu < wall) out.set(intervals.seq[k], (out.get(intervals.seq[k]) ?? 0) + cpu - wall);
  }
  return out;
}
