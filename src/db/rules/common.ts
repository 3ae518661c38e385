/** What every plan rule shares: naming the node, the saving as a share of the statement, severity caps. */
import { severityForPct, severityRank, type Finding, type Severity } from '../../core/finding.js';
import { nodeRef, subtree, type PlanNode } from '../plan/types.js';
import type { PlanRuleContext } from './types.js';

export interface PlanFindingInput {
  rule: string;
  node: PlanNode | null;
  title: string;
  evidence: Record<string, unknown>;
  recommendation: string;
  /** Estimated time a fix saves (ms); null when the plan has no timing. */
  savingMs: number | null;
  basis: string;
  /** Severity decided by the rule (e.g. by a factor); otherwise from the saving's share. */
  severity?: Severity;
  /** Highest severity allowed. */
  cap?: Severity;
}

export function planFinding(ctx: PlanRuleContext, f: PlanFindingInput): Finding {
  const pct =
    f.savingMs !== null && ctx.statementMs ? round1(Math.min(100, (100 * f.savingMs) / ctx.statementMs)) : 0;
  let severity: Severity = f.severity ?? (f.savingMs === null ? 'low' : severityForPct(pct));
  if (f.savingMs !== null) severity = minSeverity(severity, severityFloor(ctx, f.savingMs));
  if (f.cap) severity = minSeverity(severity, f.cap);
  return {
    rule: f.rule,
    area: 'db',
    severity,
    title: f.title,
    evidence: {
      ...(f.node ? { node: nodeRef(f.node) } : {}),
      ...f.evidence,
      ...(f.node ? { exclusiveMs: f.node.exclusiveMs, subtreeMs: subtreeMs(f.node) } : {}),
      estimatedSavingMs: f.savingMs === null ? null : round3(f.savingMs),
    },
    recommendation: f.recommendation,
    estimatedImpact: { pct, basis: f.basis },
  };
}

/**
 * The highest severity a saving of `savingMs` per call can have: by the absolute time it saves, per call, or
 * over all calls when the workload is known (a 2 ms statement run 100,000 times an hour is worth fixing).
 */
export function severityFloor(ctx: PlanRuleContext, savingMs: number): Severity {
  const o = ctx.options;
  const w = ctx.workload;
  const perCallShare = ctx.statementMs ? savingMs / ctx.statementMs : 1;
  const total = w && w.calls > 0 ? Math.max(savingMs, perCallShare * w.totalMs) : savingMs;
  if (total < o.minSavingMs) return 'low';
  if (total >= o.severityFloorMs.critical) return 'critical';
  if (total >= o.severityFloorMs.high) return 'high';
  if (total >= o.severityFloorMs.medium) return 'medium';
  return 'low';
}

/** Sum of exclusive times of the node and its descendants: the wall time the subtree accounts for. */
export function subtreeMs(n: PlanNode): number | null {
  if (n.exclusiveMs === null) return null;
  return round3(subtree(n).reduce((s, x) => s + (x.exclusiveMs ?? 0), 0));
}

/** Rows the node produced over all its loops. */
export function totalRows(n: PlanNode): number {
  return n.actual ? n.actual.rows * n.actual.loops : 0;
}

/** `Rows Removed by …` are per-loop averages like actual rows: times loops for the total. */
export function totalRemoved(n: PlanNode, key: string): number {
  const v = n.props[key];
  return typeof v === 'number' && n.actual ? v * n.actual.loops : 0;
}

export function minSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

export const round1 = (x: number) => Math.round(x * 10) / 10;
export const round3 = (x: number) => Math.round(x * 1000) / 1000;
export const fmtInt = (x: number) => Math.round(x).toLocaleString('en-US');
export const fmtMs = (x: number | null) =>
  x === null ? '–' : x >= 100 ? `${Math.round(x)} ms` : `${+x.toFixed(2)} ms`;
