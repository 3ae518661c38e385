import type { PageTimings } from './types.js';
import type { RawPageTimings } from './observer-script.js';

const LONG_TASK_MS = 50;

/**
 * Total blocking time as Lighthouse defines it: for every long task, the part of it after FCP (clipped) that
 * exceeds 50 ms. Lighthouse ends the window at TTI; perfloop observes until the page is quiet, which is the same
 * once the page settles, and keeps tasks that come later in (they block input all the same).
 */
export function totalBlockingTime(longTasks: readonly [number, number][], fcpMs: number | null): number {
  let total = 0;
  for (const [start, duration] of longTasks) {
    const clippedStart = Math.max(start, fcpMs ?? 0);
    const clipped = start + duration - clippedStart;
    if (clipped > LONG_TASK_MS) total += clipped - LONG_TASK_MS;
  }
  return total;
}

/** CLS: the largest session window (shifts < 1 s apart, window ≤ 5 s), as web-vitals computes it. */
export function cumulativeLayoutShift(shifts: readonly [number, number][]): number {
  let best = 0;
  let windowValue = 0;
  let windowStart = -Infinity;
  let last = -Infinity;
  for (const [t, value] of [...shifts].sort((a, b) => a[0] - b[0])) {
    if (t - last < 1000 && t - windowStart < 5000) windowValue += value;
    else {
      windowValue = value;
      windowStart = t;
    }
    last = t;
    best = Math.max(best, windowValue);
  }
  return best;
}

const round = (x: number | null, digits = 1) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

export function pageTimings(raw: RawPageTimings): PageTimings {
  return {
    ttfb_ms: round(raw.ttfb),
    dcl_ms: round(raw.dcl),
    load_ms: round(raw.load),
    fcp_ms: round(raw.fcp),
    lcp_ms: round(raw.lcp),
    cls: round(cumulativeLayoutShift(raw.shifts), 4),
    tbt_ms: round(totalBlockingTime(raw.longTasks, raw.fcp)),
  };
}
