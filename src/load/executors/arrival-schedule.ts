import type { Stage } from './config-check.js';

/**
 * When each iteration of an arrival-rate scenario is meant to start. Iteration k (0, 1, 2, … over the whole
 * run, all segments together) starts when the integral of the rate reaches k — so arrivals are spread evenly
 * at every instant (no burst at the start of each second), and a segment's iterations are exactly the whole
 * schedule's k with k mod n = i.
 */
export interface ArrivalSchedule {
  readonly durationMs: number;
  /** Offset in ms from the scenario start of iteration k; ≥ durationMs when k is past the end. */
  at(k: number): number;
  /** Iterations of the whole run meant to start before `ms`. */
  countBefore(ms: number): number;
}

export function constantSchedule(ratePerMs: number, durationMs: number): ArrivalSchedule {
  return {
    durationMs,
    at: (k) => (ratePerMs > 0 ? k / ratePerMs : Infinity),
    countBefore: (ms) => Math.ceil(Math.min(ms, durationMs) * ratePerMs - 1e-9),
  };
}

/** Linear ramps between stage targets (rates per ms), starting from `startRatePerMs`. */
export function rampingSchedule(startRatePerMs: number, stages: readonly Stage[]): ArrivalSchedule {
  // Per stage: start offset, start rate, end rate, iterations before it.
  const parts: { t0: number; d: number; r0: number; r1: number; n0: number }[] = [];
  let t0 = 0;
  let r0 = startRatePerMs;
  let n0 = 0;
  for (const s of stages) {
    parts.push({ t0, d: s.durationMs, r0, r1: s.target, n0 });
    n0 += ((r0 + s.target) / 2) * s.durationMs;
    t0 += s.durationMs;
    r0 = s.target;
  }
  const durationMs = t0;
  const total = n0;
  const integral = (ms: number): number => {
    for (const p of parts) {
      if (ms < p.t0 + p.d) {
        const tau = ms - p.t0;
        return p.n0 + p.r0 * tau + ((p.r1 - p.r0) * tau * tau) / (2 * p.d);
      }
    }
    return total;
  };
  return {
    durationMs,
    at(k) {
      if (k >= total) return durationMs + 1;
      for (const p of parts) {
        const n1 = p.n0 + ((p.r0 + p.r1) / 2) * p.d;
        if (k < n1 || p === parts[parts.length - 1]) {
          // Solve r0·τ + (r1−r0)/(2d)·τ² = x in a form that is stable for a = 0 and b = 0.
          const x = k - p.n0;
          const a = (p.r1 - p.r0) / (2 * p.d);
          const b = p.r0;
          const disc = Math.sqrt(Math.max(0, b * b + 4 * a * x));
          const tau = x <= 0 ? 0 : (2 * x) / (b + disc);
          return p.t0 + Math.min(p.d, tau);
        }
      }
      return durationMs + 1;
    },
    countBefore: (ms) => Math.ceil(integral(Math.min(ms, durationMs)) - 1e-9),
  };
}
