import { severityForPct, type Finding } from '../../../core/finding.js';
import { dependencyShares, shortPlace, type DependencyEntry } from '../dependency-entries.js';
import type { ProfileRule } from './types.js';

/** A package dominates from this share of non-idle CPU (innermost package on the stack). */
const MIN_PACKAGE_PCT = 15;
/** Ways in worth naming: at least this share of CPU, or this part of the package's time. */
const MIN_ENTRY_PCT = 3;
const MIN_ENTRY_PART = 0.2;
const MAX_PACKAGES = 3;
const MAX_ENTRIES = 3;

/** "`list` (json-server/…/plural.js:177) → lodash cloneDeep: 43.7 % inclusive" */
export function entryLine(pkg: string, e: DependencyEntry): string {
  const caller = e.caller ? `\`${e.caller.function}\`${e.caller.file ? ` (${shortPlace(e.caller)})` : ''}` : '(root)';
  const app = e.appFrame ? `your \`${e.appFrame.function}\` (${shortPlace(e.appFrame)}) → ` : '';
  return `${app}${caller} → ${pkg} ${e.entry.function}: ${e.pct} % inclusive`;
}

/**
 * `cpu.hot-dependency`: most of the CPU is inside one npm package, so the functions the profile ranks are the
 * library's (`baseClone`, `mapCacheSet`) and "your code" reads near 0 %. What the user can change is the call
 * into it: the finding names the first frame outside the package — the service's function, or the dependency's
 * own entry point when the service is itself a dependency (json-server) — and the package function it calls,
 * with the CPU below that call.
 */
export const hotDependency: ProfileRule = {
  id: 'cpu.hot-dependency',
  run({ profile, weights }) {
    const shares = dependencyShares(profile, weights).filter((d) => d.pct >= MIN_PACKAGE_PCT);
    return shares.slice(0, MAX_PACKAGES).flatMap((d): Finding[] => {
      const entries = d.entries
        .filter((e) => e.pct >= MIN_ENTRY_PCT || e.pct >= MIN_ENTRY_PART * d.pct)
        .slice(0, MAX_ENTRIES);
      if (entries.length === 0) return [];
      const lines = entries.map((e) => entryLine(d.name, e));
      return [
        {
          rule: 'cpu.hot-dependency',
          area: 'cpu',
          severity: severityForPct(d.pct),
          title: `${d.name} holds ${d.pct} % of CPU time; the way in: ${lines[0]}`,
          evidence: { package: d.name, pct: d.pct, entries, floors: { minPackagePct: MIN_PACKAGE_PCT, minEntryPct: MIN_ENTRY_PCT } },
          recommendation:
            `Change the call, not the library: ${lines.join('; ')}. Call it less often (cache the result, paginate), ` +
            `give it less data, or use a cheaper function of it (a shallow copy instead of a deep clone, a streamed or precomputed JSON body).`,
          estimatedImpact: {
            pct: entries[0].pct,
            basis: "share of non-idle CPU below the busiest call into the package (what avoiding that call would save)",
          },
        },
      ];
    });
  },
};
