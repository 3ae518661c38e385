import { severityForPct, type Finding } from '../../../core/finding.js';
import type { Profile } from '../../../core/profile.js';
import type { ProfileRule } from './types.js';

/** Sites below this share of the allocated (or retained) bytes or objects are not worth a finding. */
const MIN_SELF_PCT = 5;

/**
 * A heap or allocation profile (pprof inuse_space/alloc_space/…_objects, Go heap, V8 sampling heap profile, JFR
 * allocation samples): weights are bytes or objects, not time, so "uses N% of CPU time, algorithm review" would be
 * wrong advice. Read from the unit and the sample type the importer names the profile after.
 */
export function isAllocationProfile(p: Profile): boolean {
  if (p.unit === 'bytes') return true;
  return (
    p.unit === 'count' && /·\s*(alloc|inuse)_\w+$|·\s*(alloc|allocation|objects?)\b/.test(p.meta.name ?? '')
  );
}

/** Which kind of heap data: live memory at the time of the profile, or everything allocated over it. */
export function allocationKind(p: Profile): 'retained' | 'allocated' {
  return /inuse/.test(p.meta.name ?? '') || p.meta.format === 'heapprofile' ? 'retained' : 'allocated';
}

export function allocationAction(p: Profile): string {
  return allocationKind(p) === 'retained'
    ? 'Retained here: check what keeps it alive (caches without bounds, global maps, listeners), bound or release it'
    : 'Allocates here: allocate less on this path — reuse buffers and objects, pre-size, avoid per-request copies';
}

/** The allocation sites with the largest self share: what to change to allocate (or retain) less. */
export const allocationSite: ProfileRule = {
  id: 'memory.allocation-site',
  run({ profile, top }) {
    const what = profile.unit === 'bytes' ? 'bytes' : 'objects';
    const kind = allocationKind(profile);
    const findings: Finding[] = [];
    for (const t of top) {
      if (profile.frames[t.frame].kind !== 'code' || t.selfPct < MIN_SELF_PCT) continue;
      const where = t.file ? ` (${t.file.split('/').slice(-2).join('/')}${t.line ? `:${t.line}` : ''})` : '';
      findings.push({
        rule: 'memory.allocation-site',
        area: 'memory',
        severity: severityForPct(t.selfPct),
        title: `${t.name} ${kind === 'retained' ? 'holds' : 'allocates'} ${t.selfPct}% of the sampled ${what}`,
        evidence: {
          function: t.name,
          file: t.file,
          line: t.line,
          selfPct: t.selfPct,
          totalPct: t.totalPct,
          kind,
          unit: profile.unit,
        },
        recommendation: `${allocationAction(profile)}. Site: ${t.name}${where}.`,
        estimatedImpact: { pct: t.selfPct, basis: `share of the sampled ${kind} ${what} at this site` },
      });
    }
    return findings;
  },
};
