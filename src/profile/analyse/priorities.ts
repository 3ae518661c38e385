import { rankFindings, type Finding } from '../../core/finding.js';
import { isAppFile } from './categories.js';

/** One line of the method's "Optimization Priorities": what to do first, by estimated time saved. */
export interface OptimizationPriority {
  rank: number;
  /** The function (or category) to work on. */
  target: string;
  rule: string;
  title: string;
  /** Estimated share (0–100) of non-idle CPU a fix saves. */
  estimatedPct: number;
  /** The first sentence of the finding's recommendation. */
  action: string;
}

const targetOf = (f: Finding): string => {
  type Fn = { function?: unknown; file?: unknown };
  const e = f.evidence as {
    function?: unknown;
    category?: unknown;
    functions?: Fn[];
    callers?: Fn[];
    calls?: { caller?: unknown }[];
  };
  if (typeof e.function === 'string') return e.function;
  // A category finding: the user's own function in it, else the own function calling into it, else the hottest one.
  const own = e.functions?.find((x) => typeof x.file === 'string' && isAppFile(x.file));
  const pick = own ?? e.callers?.[0] ?? e.functions?.[0];
  if (typeof pick?.function === 'string') return pick.function;
  if (Array.isArray(e.calls) && typeof e.calls[0]?.caller === 'string') return e.calls[0].caller;
  return typeof e.category === 'string' ? e.category : f.rule;
};

/**
 * Findings ranked by estimated time saved, one entry per target: a function flagged by several rules (hot and
 * serialization-heavy, say) is one priority, under its largest estimate.
 */
export function optimizationPriorities(findings: readonly Finding[], limit = 5): OptimizationPriority[] {
  const seen = new Set<string>();
  const out: OptimizationPriority[] = [];
  for (const f of rankFindings(findings)) {
    const target = targetOf(f);
    if (seen.has(target) || f.estimatedImpact.pct < 0.5) continue;
    seen.add(target);
    const first = /^(.*?[.!?])(\s|$)/.exec(f.recommendation)?.[1] ?? f.recommendation;
    out.push({
      rank: out.length + 1,
      target,
      rule: f.rule,
      title: f.title,
      estimatedPct: f.estimatedImpact.pct,
      action: first,
    });
    if (out.length === limit) break;
  }
  return out;
}
