import type { Finding } from '../core/finding.js';
import type { RunRecord } from '../core/run.js';

/**
 * Rules whose appearance alone fails the gate: a leak or a query in a loop is a regression even when the run
 * was too short for latency or memory means to move (a cache that never evicts grows slowly; a synchronous
 * write on every request costs less than run-to-run noise on a busy machine).
 */
export const GATED_NEW_RULES: readonly string[] = [
  'memory.growth',
  'memory.unbounded-collection',
  'memory.listener-leak',
  'memory.timer-leak',
  'memory.closure-leak',
  'memory.global-growth',
  'db.n-plus-one',
  'db.missing-index',
  'cpu.sync-io',
];

export interface NewFinding {
  rule: string;
  severity: Finding['severity'];
  title: string;
}

/** Gated findings of at least medium severity in the candidate's newest run that no baseline run had. */
export function newGatedFindings(baseline: readonly RunRecord[], candidate: RunRecord, rules = GATED_NEW_RULES): NewFinding[] {
  const before = new Set(baseline.flatMap((r) => r.findings.map((f) => f.rule)));
  return candidate.findings
    .filter((f) => rules.includes(f.rule) && !before.has(f.rule) && f.severity !== 'info' && f.severity !== 'low')
    .map((f) => ({ rule: f.rule, severity: f.severity, title: f.title }));
}
