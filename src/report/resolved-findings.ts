import { rankFindings, type Finding } from '../core/finding.js';
import type { RunRecord } from '../core/run.js';

/** Rules found only by comparing heap snapshots: absent from a run without snapshots, not resolved. */
const SNAPSHOT_RULES =
  /^memory\.(unbounded-collection|listener-leak|timer-leak|closure-leak|global-growth|unsettled-promises)$/;

/**
 * The findings the run before had (above info) whose rule this run no longer reports — what the change
 * between them removed — ranked as findings are, one per rule.
 */
export function resolvedFindings(before: RunRecord, after: RunRecord): Finding[] {
  const now = new Set(after.findings.map((f) => f.rule));
  const seen = new Set<string>();
  return rankFindings(
    before.findings.filter(
      (f) => f.severity !== 'info' && !now.has(f.rule) && (after.heap || !SNAPSHOT_RULES.test(f.rule)),
    ),
  ).filter((f) => !seen.has(f.rule) && !!seen.add(f.rule));
}
