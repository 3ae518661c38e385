import { z } from 'zod';
import type { PageSummary, TimingName } from '../page/types.js';

/**
 * The budget file's `pages` part, in the method's form: page → metric → limit,
 * `"pages": { "/checkout": { "lcp_ms": { "max": 2500 }, "load_ms": { "max": 3000 } } }`. A key is a path (matched
 * against the measured URL's path) or a whole URL. Limits hold the p50 across the runs — the representative run's
 * neighbourhood, not one lucky or unlucky load — unless `"of": "p95"` asks for the slower tail.
 */
export const PAGE_BUDGET_METRICS = ['ttfb_ms', 'dcl_ms', 'load_ms', 'fcp_ms', 'lcp_ms', 'cls', 'tbt_ms'] as const satisfies readonly TimingName[];

const pageLimit = z
  .object({ max: z.number().nonnegative(), of: z.enum(['p50', 'p95']).optional() })
  .strict();

export const pagesBudgetSchema = z
  .record(z.string(), z.object(Object.fromEntries(PAGE_BUDGET_METRICS.map((m) => [m, pageLimit.optional()]))).strict())
  .superRefine((pages, ctx) => {
    for (const key of Object.keys(pages))
      if (!key.startsWith('/') && !/^https?:\/\//.test(key))
        ctx.addIssue({ code: 'custom', path: [key], message: 'a page is a path (/checkout) or a URL' });
  });

export type PageBudgets = Record<string, Partial<Record<TimingName, { max: number; of?: 'p50' | 'p95' }>>>;

export interface PageBudgetResult {
  page: string;
  url: string;
  metric: TimingName;
  of: 'p50' | 'p95';
  actual: number | null;
  max: number;
  ok: boolean;
}

/** Whether budget key `key` names the page measured at `url`. */
export function pageMatches(key: string, url: string): boolean {
  if (/^https?:\/\//.test(key)) return key === url;
  try {
    const u = new URL(url);
    return u.pathname === key || `${u.pathname}${u.search}` === key;
  } catch {
    return false;
  }
}

/**
 * Every page limit checked against the measured pages. A metric the browser did not report (no LCP on a blank
 * page) fails: a budget that cannot be checked must not pass silently. Budget pages not measured are returned in
 * `unmeasured` so the caller can say so.
 */
export function checkPageBudgets(budgets: PageBudgets, pages: readonly Pick<PageSummary, 'url' | 'metrics'>[]): { results: PageBudgetResult[]; unmeasured: string[] } {
  const results: PageBudgetResult[] = [];
  const unmeasured: string[] = [];
  for (const [key, limits] of Object.entries(budgets)) {
    const matching = pages.filter((p) => pageMatches(key, p.url));
    if (matching.length === 0) unmeasured.push(key);
    for (const p of matching)
      for (const [metric, limit] of Object.entries(limits) as [TimingName, { max: number; of?: 'p50' | 'p95' }][]) {
        const of = limit.of ?? 'p50';
        const actual = p.metrics[metric][of];
        results.push({ page: key, url: p.url, metric, of, actual, max: limit.max, ok: actual !== null && actual <= limit.max });
      }
  }
  return { results, unmeasured };
}
