import { severityForPct, type Finding } from '../../core/finding.js';
import type { LatencySummary } from '../../core/run.js';
import type { AgentSample } from '../../agent/collector.js';

/** Evidence floors: this many agent samples (250 ms each) spanning this many seconds of the measured window. */
const MIN_SAMPLES = 8;
const MIN_SPAN_S = 4;
/** Absolute floor: a mean lateness below this (ms) holds no request back noticeably, whatever its share. */
const MIN_MEAN_DELAY_MS = 5;
/** Relative floor: the loop's delay must explain at least this share of mean request latency. */
const MIN_SHARE_PCT = 10;

/** The monitor's tick period: its timer is due every 10 ms; the delays are what exceeds it. */
const TICK_MS = 10;

/**
 * The mean wait of a callback that becomes due at a random moment, from one window's per-tick delays d: a
 * random moment falls into a tick with probability proportional to its length (TICK + d) and then waits half
 * of its delay on average, so W = E[d²] / (2 (TICK + E[d])) — the residual-life formula. The plain mean of
 * the ticks would count a 100 ms block once among ten idle ticks; a request arriving at random mostly lands in
 * it. Without E[d²] (an older agent) the mean is used.
 */
function randomArrivalWait(d: AgentSample['eventLoopDelay']): number {
  if (d.meanSquare === undefined) return d.mean;
  return d.meanSquare / (2 * (TICK_MS + d.mean));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
};
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * `http.event-loop-blocked`: synchronous work on a Node service's event loop holds requests back.
 *
 * Why this formula: the monitor measures how late its timer runs. A request's socket read becomes due at a
 * moment unrelated to the work in progress and waits for the running synchronous chunk to finish, like a
 * callback due at a random moment — whose mean wait the ticks give (randomArrivalWait). That is the wait a
 * request pays per loop turn, and since every request needs at least one turn, that wait / mean latency is a
 * lower bound on the share of latency the blocked loop explains. That share is the impact. Percentiles of
 * per-window percentiles (the old p99 of 40 p99s was simply the max) are reported as evidence, never judged.
 * A process waiting for a CPU on a busy host is late too, but by scheduler slices (a few ms spread over
 * many short callbacks), which the random-arrival wait keeps under the 5 ms floor; a long synchronous chunk
 * is what it weighs.
 * Floors: enough samples and seconds, a mean delay of at least 5 ms, and a share of at least 10 %.
 */
export function findEventLoopBlocked(samples: readonly AgentSample[], latency: LatencySummary): Finding[] {
  if (samples.length < MIN_SAMPLES || latency.count === 0 || !(latency.mean > 0)) return [];
  const spanS = (samples[samples.length - 1].t - samples[0].t) / 1000;
  if (spanS < MIN_SPAN_S) return [];
  const meanDelay = samples.reduce((a, s) => a + randomArrivalWait(s.eventLoopDelay), 0) / samples.length;
  if (meanDelay < MIN_MEAN_DELAY_MS) return [];
  const share = Math.min(100, Math.round((100 * meanDelay) / latency.mean));
  if (share < MIN_SHARE_PCT) return [];
  const typicalP99 = median(samples.map((s) => s.eventLoopDelay.p99));
  const max = Math.max(...samples.map((s) => s.eventLoopDelay.max));
  return [
    {
      rule: 'http.event-loop-blocked',
      area: 'http',
      severity: severityForPct(share),
      title: `Event loop blocked: callbacks wait ${r2(meanDelay)} ms on average (${share} % of the mean request latency ${r2(latency.mean)} ms); typical p99 ${r2(typicalP99)} ms, max ${r2(max)} ms`,
      evidence: {
        meanDelayMs: r2(meanDelay),
        typicalP99Ms: r2(typicalP99),
        maxMs: r2(max),
        latencyMeanMs: latency.mean,
        sharePct: share,
        samples: samples.length,
        spanS: Math.round(spanS),
        floors: { minMeanDelayMs: MIN_MEAN_DELAY_MS, minSharePct: MIN_SHARE_PCT, minSamples: MIN_SAMPLES },
      },
      recommendation:
        'Synchronous work runs on the request path (sync I/O, big JSON, crypto, regexps, a WebAssembly database): see the CPU findings for which function, move it off the loop (async API, worker thread) or make it smaller.',
      estimatedImpact: { pct: share, basis: 'mean event-loop delay as a share of mean request latency (a lower bound)' },
    },
  ];
}
