import { rankFindings, type Finding } from '../../core/finding.js';
import type { Profile, ProfileUnit } from '../../core/profile.js';
import { categoriser, DEFAULT_CATEGORY_RULES, nodeCategories, type CategoryRule } from './categories.js';
import { optimizationPriorities, type OptimizationPriority } from './priorities.js';
import { PROFILE_RULES } from './rules/index.js';
import { allocationAction, allocationSite, isAllocationProfile } from './rules/allocation-site.js';
import { topConsumers, type CategoryShare, type TopConsumer } from './top-consumers.js';
import { frameWeights } from './weights.js';
import { aboveEvidenceFloor } from './evidence-floor.js';

export interface ProfileAnalysis {
  unit: ProfileUnit;
  totalWeight: number;
  activeWeight: number;
  samples: number;
  top: TopConsumer[];
  categories: CategoryShare[];
  findings: Finding[];
  /** The method's "Optimization Priorities": findings by estimated time saved, one per target. */
  priorities: OptimizationPriority[];
}

const TO_MS: Partial<Record<ProfileUnit, number>> = { ns: 1e-6, us: 1e-3, ms: 1 };

export function analyseProfile(
  profile: Profile,
  options: { top?: number; categoryRules?: readonly CategoryRule[] } = {},
): ProfileAnalysis {
  const weights = frameWeights(profile);
  const userRules = options.categoryRules ?? [];
  const cat = categoriser([...userRules, ...DEFAULT_CATEGORY_RULES]);
  const nodeCats = nodeCategories(profile, cat);
  const topped = topConsumers(profile, weights, cat, Math.max(options.top ?? 10, 30), {
    nodeCats,
    rules: userRules,
  });
  // A heap/allocation profile gets allocation advice, not CPU advice ("hot function", "algorithm review").
  const allocation = isAllocationProfile(profile);
  const top = allocation
    ? topped.top.map((t) => (t.category === 'idle' ? t : { ...t, action: allocationAction(profile) }))
    : topped.top;
  const { categories } = topped;
  const rules = allocation ? [allocationSite] : PROFILE_RULES;
  const factor = TO_MS[profile.unit];
  const toMs = (w: number) => (factor === undefined ? NaN : Math.round(w * factor * 100) / 100);
  const activeSamples =
    weights.all > 0 ? Math.round((profile.sampleCount * weights.active) / weights.all) : 0;
  const findings = rankFindings(
    aboveEvidenceFloor(
      rules.flatMap((r) =>
        r.run({
          profile,
          weights,
          top,
          categories,
          nodeCategories: nodeCats,
          categoryRules: userRules,
          toMs,
        }),
      ),
      { activeSamples, activeMs: factor === undefined ? null : toMs(weights.active) },
    ),
  );
  return {
    unit: profile.unit,
    totalWeight: weights.all,
    activeWeight: weights.active,
    samples: profile.sampleCount,
    top: top.slice(0, options.top ?? 10),
    categories,
    findings,
    priorities: optimizationPriorities(findings),
  };
}
