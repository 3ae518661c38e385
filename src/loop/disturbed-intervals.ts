import type { IntervalRecord } from '../core/run.js';

/** A span of wall-clock time (epoch ms) during which the agent paused the service (a heap snapshot). */
export interface PauseWindow {
  start: number;
  end: number;
}

/**
 * The one-second intervals a pause touched, marked `disturbed` so comparisons leave them out: the seconds
 * the pause overlaps and the one after it, in which the requests queued behind the pause complete.
 * `loadStartMs` is the epoch ms of interval 0; pauses that ended before it disturb nothing.
 */
export function markDisturbed(
  intervals: readonly IntervalRecord[],
  pauses: readonly PauseWindow[],
  loadStartMs: number,
): IntervalRecord[] {
  const hit = new Set<number>();
  for (const p of pauses) {
    if (p.end <= loadStartMs) continue; // before the load: nothing was queued behind it
    const first = Math.floor((p.start - loadStartMs) / 1000);
    const last = Math.floor((p.end - loadStartMs) / 1000) + 1;
    for (let t = first; t <= last; t++) hit.add(t);
  }
  return intervals.map((i) => (hit.has(i.t) ? { ...i, disturbed: true } : i));
}
