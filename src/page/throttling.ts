import { PerfloopError } from '../core/errors.js';

/**
 * Network and CPU throttling under Lighthouse's names (its `throttling` settings and presets in
 * lighthouse-core/config/constants.js), applied through DevTools emulation ("devtools" throttling method), so
 * budgets written for Lighthouse mean the same here.
 */
export interface Throttling {
  /** DevTools adds this latency to every request (Lighthouse: requestLatencyMs = rttMs × 3.75 for mobile). */
  requestLatencyMs: number;
  downloadThroughputKbps: number;
  uploadThroughputKbps: number;
  cpuSlowdownMultiplier: number;
}

export const THROTTLING_PRESETS: Record<string, Throttling | null> = {
  none: null,
  mobileSlow4G: { requestLatencyMs: 150 * 3.75, downloadThroughputKbps: 1.6 * 1024 * 0.9, uploadThroughputKbps: 750 * 0.9, cpuSlowdownMultiplier: 4 },
  mobileRegular3G: { requestLatencyMs: 300 * 3.75, downloadThroughputKbps: 700 * 0.9, uploadThroughputKbps: 700 * 0.9, cpuSlowdownMultiplier: 4 },
  desktopDense4G: { requestLatencyMs: 40, downloadThroughputKbps: 10 * 1024, uploadThroughputKbps: 10 * 1024, cpuSlowdownMultiplier: 1 },
};

/** A preset by name, with `cpuSlowdownMultiplier` overriding the preset's CPU factor when given. */
export function throttlingOf(preset: string | undefined, cpuSlowdownMultiplier: number | undefined): Throttling | null {
  let base: Throttling | null = null;
  if (preset !== undefined) {
    if (!(preset in THROTTLING_PRESETS))
      throw new PerfloopError('USAGE', `--throttling: unknown preset ${JSON.stringify(preset)}`, {
        hint: `presets: ${Object.keys(THROTTLING_PRESETS).join(', ')}`,
      });
    base = THROTTLING_PRESETS[preset];
  }
  if (cpuSlowdownMultiplier === undefined) return base;
  return { ...(base ?? { requestLatencyMs: 0, downloadThroughputKbps: 0, uploadThroughputKbps: 0, cpuSlowdownMultiplier: 1 }), cpuSlowdownMultiplier };
}
