import type { Finding } from '../../core/finding.js';

/**
 * Evidence floors under every CPU rule's relative threshold (a share of the profile):
 * - a profile needs at least MIN_ACTIVE_SAMPLES non-idle samples before any rule speaks — 5 % of 40 samples is
 *   two samples, which is chance;
 * - a finding must stand for at least MIN_FINDING_MS of CPU (or MIN_FINDING_SAMPLES samples when the profile
 *   has no time unit) — 30 % of a 20 ms profile is not worth an engineer's afternoon.
 */
export const MIN_ACTIVE_SAMPLES = 100;
export const MIN_FINDING_MS = 20;
export const MIN_FINDING_SAMPLES = 10;

export function aboveEvidenceFloor(
  findings: readonly Finding[],
  profile: { activeSamples: number; activeMs: number | null },
): Finding[] {
  if (profile.activeSamples < MIN_ACTIVE_SAMPLES) return [];
  return findings.filter((f) => {
    const share = f.estimatedImpact.pct / 100;
    return profile.activeMs === null
      ? share * profile.activeSamples >= MIN_FINDING_SAMPLES
      : share * profile.activeMs >= MIN_FINDING_MS;
  });
}
