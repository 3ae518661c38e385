import { rankFindings, type Finding } from '../core/finding.js';
import type { RunRecord } from '../core/run.js';

/** Rules found only by comparing heap snapshots: absent from a run without snapshots, not resolved. */
const SNAPSHOT_RULES =
  /^memory\.(unbounded-collection|listener-leak|timer-leak|closure-leak|global-growth|unsettled-promises)$/;

/**
 * Rules that report one finding per thing (a function, a growing holder): one of them is gone when that
 * thing no longer shows up, even if the rule still fires on another. Other rules are gone when the rule is.
 * (Statements are not such a key: a fix rewrites the statement, and the rule then names the new one.)
 */
const SUBJECT: Record<string, string> = { 'cpu.hot-function': 'function', 'memory.global-growth': 'holder' };

/** What a finding is about, for rules with a subject: "serializeDashboard"; else null. */
export function findingSubject(f: Finding): string | null {
  const key = SUBJECT[f.rule];
  const v = key ? f.evidence[key] : undefined;
  return typeof v === 'string' && v !== '' ? v : null;
}

const identity = (f: Finding) => `${f.rule}\u0000${findingSubject(f) ?? ''}`;

const minor = (f: Finding) => f.severity === 'info' || f.severity === 'low';

/**
 * The findings the run before had (medium or worse) that this run no longer reports above low — what the
 * change between them removed (a leak that became "may grow, too uncertain to call" counts) — ranked as
 * findings are, one per rule and subject.
 */
export function resolvedFindings(before: RunRecord, after: RunRecord): Finding[] {
  const now = new Set(after.findings.filter((f) => !minor(f)).map(identity));
  const seen = new Set<string>();
  return rankFindings(
    before.findings.filter(
      (f) => f.severity !== 'info' && !now.has(identity(f)) && (after.heap || !SNAPSHOT_RULES.test(f.rule)),
    ),
  ).filter((f) => !seen.has(identity(f)) && !!seen.add(identity(f)));
}
