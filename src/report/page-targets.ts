import type { PageRecordEntry, TimingName } from '../core/page-run.js';
import type { RunRecord } from '../core/run.js';
import { pageMatches, type PageBudgets } from '../gate/budget-pages.js';
import { pageKey, TIMING_LABELS } from '../gate/compare/page-compare.js';
import type { TargetRow } from './iteration-log.js';

/** The method's Performance Budget row for a page: "Page load < 3 s". */
export const DEFAULT_PAGE_LOAD_TARGET_MS = 3000;

/**
 * Current vs Target for page runs: each budgeted page's limits (`pages` in the budget file) at the statistic the
 * budget holds (p50 unless `"of": "p95"`), first run against last; a page without a budget is held to the method's
 * page-load row. Pages are matched as the budget check matches them (by path, or by the whole URL).
 */
export function pageTargetRows(first: RunRecord, last: RunRecord, budgets: PageBudgets | undefined): TargetRow[] {
  const rows: TargetRow[] = [];
  const entry = (r: RunRecord, url: string): PageRecordEntry | undefined => {
    const key = pageKey(url);
    return r.page?.pages.find((p) => pageKey(p.url) === key);
  };
  for (const p of last.page?.pages ?? []) {
    const key = Object.keys(budgets ?? {}).find((k) => pageMatches(k, p.url));
    const limits: Partial<Record<TimingName, { max: number; of?: 'p50' | 'p95' }>> = key
      ? budgets![key]
      : { load_ms: { max: DEFAULT_PAGE_LOAD_TARGET_MS } };
    for (const [metric, limit] of Object.entries(limits) as [TimingName, { max: number; of?: 'p50' | 'p95' }][]) {
      const of = limit.of ?? 'p50';
      const current = p.metrics[metric][of];
      rows.push({
        metric: `${pageKey(p.url)} ${TIMING_LABELS[metric]} (${of})`,
        baseline: entry(first, p.url)?.metrics[metric][of] ?? null,
        current,
        target: limit.max,
        met: current === null ? null : current <= limit.max,
        unit: metric === 'cls' ? 'score' : 'ms',
      });
    }
  }
  return rows;
}
