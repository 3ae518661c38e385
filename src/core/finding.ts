/**
 * What every analyser returns and every report and gate consumes. Evidence always carries the numbers that
 * triggered the rule, so a reader can check the verdict without re-running anything.
 */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type FindingArea = 'cpu' | 'memory' | 'db' | 'http' | 'load';

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export interface EstimatedImpact {
  /** Estimated share (0–100) of the measured resource a fix would save: request time, CPU time, memory growth. */
  pct: number;
  /** What the percentage is a share of, and how it was estimated. */
  basis: string;
}

export interface Finding {
  /** Stable rule id, e.g. `db.n-plus-one`. */
  rule: string;
  area: FindingArea;
  severity: Severity;
  title: string;
  evidence: Record<string, unknown>;
  recommendation: string;
  estimatedImpact: EstimatedImpact;
}

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Severity from an estimated share: the more a fix would save, the louder the finding. */
export function severityForPct(pct: number): Severity {
  if (pct >= 40) return 'critical';
  if (pct >= 20) return 'high';
  if (pct >= 8) return 'medium';
  if (pct >= 2) return 'low';
  return 'info';
}

/** Highest estimated impact first; severity breaks ties. */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      b.estimatedImpact.pct - a.estimatedImpact.pct ||
      severityRank(b.severity) - severityRank(a.severity) ||
      a.rule.localeCompare(b.rule),
  );
}
