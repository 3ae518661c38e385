import type { PageRecordEntry, TimingName } from '../../core/page-run.js';
import { TIMING_NAMES } from '../../core/page-run.js';
import type { RunRecord } from '../../core/run.js';
import { mannWhitney } from '../stats/mann-whitney.js';
import type { ComparisonRow, PageComparisonName } from './compare-runs.js';

export const PAGE_COMPARE_SCHEMA = 'perfloop/page-compare@1';

export type PageVerdict = 'improved' | 'regressed' | 'same' | 'unknown';

export interface PageMetricComparison {
  page: string;
  /** A timing (lcp_ms, tbt_ms, …) or a request ("GET /api/slow"). */
  metric: string;
  before: number | null;
  after: number | null;
  changePct: number | null;
  pValue: number | null;
  runs: { before: number; after: number };
  verdict: PageVerdict;
  reason: string;
}

export interface PageComparison {
  schema: typeof PAGE_COMPARE_SCHEMA;
  before: string;
  after: string;
  metrics: PageMetricComparison[];
  warnings: string[];
}

export interface PageCompareOptions {
  minEffectPct?: number;
  alpha?: number;
}

/** Below these absolute differences a change is timer noise, whatever its percentage (0 → 2 ms TBT is not +∞ %). */
const FLOOR: Record<string, number> = { cls: 0.01, default_ms: 10 };
/** From this many runs a side the rank test can reach the usual α; fewer runs rely on complete separation. */
const RANK_TEST_MIN_RUNS = 5;

export const isPageRun = (r: RunRecord) => r.kind === 'page' && !!r.page;

/**
 * Before/after of page runs, per page and metric, on the per-run values (every run of every repeat). Page runs
 * are few (a load costs seconds), and with 2–4 runs a side no rank test can reach α = 0.01 (Mann-Whitney's
 * smallest two-sided p for 3 against 3 is 0.1). So: with ≥ 5 runs a side the rank test decides; with fewer, a
 * change counts when every after run is on the same side of every before run (complete separation). Either way
 * the median change must exceed the minimum effect and an absolute floor.
 */
export function comparePageRuns(
  before: readonly RunRecord[],
  after: readonly RunRecord[],
  o: PageCompareOptions = {},
): PageComparison {
  const minEffectPct = o.minEffectPct ?? 5;
  const alpha = o.alpha ?? 0.01;
  const b = entriesByPage(before);
  const a = entriesByPage(after);
  const metrics: PageMetricComparison[] = [];
  const warnings: string[] = [];
  for (const [page, beforeEntries] of b) {
    const afterEntries = a.get(page);
    if (!afterEntries) {
      warnings.push(`${page} is only in the before runs`);
      continue;
    }
    for (const m of TIMING_NAMES)
      metrics.push(compareValues(page, m, timingValues(beforeEntries, m), timingValues(afterEntries, m), m === 'cls' ? FLOOR.cls : FLOOR.default_ms, minEffectPct, alpha));
    const requests = new Set([...beforeEntries, ...afterEntries].flatMap((e) => Object.keys(e.requestTimes ?? {})));
    for (const req of [...requests].sort()) {
      const bv = beforeEntries.flatMap((e) => e.requestTimes?.[req] ?? []);
      const av = afterEntries.flatMap((e) => e.requestTimes?.[req] ?? []);
      if (bv.length && av.length) metrics.push(compareValues(page, req, bv, av, FLOOR.default_ms, minEffectPct, alpha));
    }
  }
  for (const page of a.keys()) if (!b.has(page)) warnings.push(`${page} is only in the after runs`);
  return { schema: PAGE_COMPARE_SCHEMA, before: describe(before), after: describe(after), metrics, warnings };
}

function entriesByPage(runs: readonly RunRecord[]): Map<string, PageRecordEntry[]> {
  const m = new Map<string, PageRecordEntry[]>();
  for (const r of runs) for (const p of r.page?.pages ?? []) {
    const key = pageKey(p.url);
    m.set(key, [...(m.get(key) ?? []), p]);
  }
  return m;
}

/** Pages are matched by path: before and after usually run on different ports. */
function pageKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

const timingValues = (entries: readonly PageRecordEntry[], m: TimingName) =>
  entries.flatMap((e) => e.timings.map((t) => t[m])).filter((x): x is number => x !== null);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

export function compareValues(
  page: string,
  metric: string,
  before: readonly number[],
  after: readonly number[],
  floor: number,
  minEffectPct: number,
  alpha: number,
): PageMetricComparison {
  const runs = { before: before.length, after: after.length };
  if (!before.length || !after.length)
    return { page, metric, before: before.length ? median(before) : null, after: after.length ? median(after) : null, changePct: null, pValue: null, runs, verdict: 'unknown', reason: 'not measured on both sides' };
  const mb = median(before);
  const ma = median(after);
  const diff = ma - mb;
  const changePct = mb === 0 ? (ma === 0 ? 0 : null) : Math.round((diff / mb) * 1000) / 10;
  const { pValue } = mannWhitney(before, after);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const base = { page, metric, before: round(mb), after: round(ma), changePct, pValue: Math.round(pValue * 1e4) / 1e4, runs };
  const bigEnough = Math.abs(diff) > floor && (changePct === null || Math.abs(changePct) >= minEffectPct);
  if (!bigEnough) return { ...base, verdict: 'same', reason: `median change ${fmt(diff)} within the noise floor (${floor}) or ${minEffectPct} %` };
  const separated = diff < 0 ? Math.max(...after) < Math.min(...before) : Math.min(...after) > Math.max(...before);
  const enoughRuns = before.length >= RANK_TEST_MIN_RUNS && after.length >= RANK_TEST_MIN_RUNS;
  const decided = enoughRuns ? pValue < alpha : separated;
  const verdict: PageVerdict = decided ? (diff < 0 ? 'improved' : 'regressed') : 'unknown';
  const reason = decided
    ? enoughRuns
      ? `Mann-Whitney p ${base.pValue} < ${alpha}`
      : `every after run ${diff < 0 ? 'below' : 'above'} every before run`
    : enoughRuns
      ? `p ${base.pValue} ≥ ${alpha}: more runs may decide`
      : `runs overlap; with ${RANK_TEST_MIN_RUNS}+ runs a side the rank test can decide`;
  return { ...base, verdict, reason };
}

const fmt = (x: number) => `${x >= 0 ? '+' : ''}${Math.round(x * 100) / 100}`;

function describe(runs: readonly RunRecord[]): string {
  const r = runs[0];
  return r ? `run ${r.run.id}${r.run.label ? ` (${r.run.label})` : ''}${runs.length > 1 ? ` ×${runs.length}` : ''}` : '(none)';
}

/** The comparison as a text table. */
export function pageComparisonText(c: PageComparison): string {
  const lines = [`before: ${c.before}`, `after:  ${c.after}`, ''];
  const rows = c.metrics.map((m) => [m.page, m.metric, show(m.before), show(m.after), m.changePct === null ? '–' : `${m.changePct > 0 ? '+' : ''}${m.changePct} %`, m.verdict, m.reason]);
  const head = ['Page', 'Metric', 'Before', 'After', 'Change', 'Verdict', 'Why'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) lines.push(r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(widths[i]))).join('  '));
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** The metrics' names in tables (the way Lighthouse and web-vitals abbreviate them). */
export const TIMING_LABELS: Record<TimingName, string> = {
  ttfb_ms: 'TTFB',
  dcl_ms: 'DOMContentLoaded',
  load_ms: 'load',
  fcp_ms: 'FCP',
  lcp_ms: 'LCP',
  cls: 'CLS',
  tbt_ms: 'TBT',
};

export const pageRowName = (page: string, metric: string): PageComparisonName => `page:${page} ${metric}`;

/** The page and metric (a timing, or a request such as "GET /api/slow") of a page comparison row's name. */
export function pageRowParts(name: string): { page: string; metric: string } | null {
  if (!name.startsWith('page:')) return null;
  // A page key is a URL's path and query: it has no raw space, so the first space ends it.
  const rest = name.slice(5);
  const k = rest.indexOf(' ');
  return k < 0 ? null : { page: rest.slice(0, k), metric: rest.slice(k + 1) };
}

export const isTimingName = (m: string): m is TimingName => (TIMING_NAMES as readonly string[]).includes(m);

/**
 * The page comparison as comparison rows, so the gate, the iteration log and the Phase 15 summary handle page
 * runs with the tables they already draw. Before/after are the medians of the runs; there is no bootstrap
 * interval (page runs are too few for one), so `ci` is null.
 */
export function pageComparisonRows(c: PageComparison): ComparisonRow[] {
  return c.metrics.map((m) => {
    const timing = isTimingName(m.metric) ? m.metric : null;
    const moreRuns = m.verdict === 'unknown' && (m.runs.before < RANK_TEST_MIN_RUNS || m.runs.after < RANK_TEST_MIN_RUNS) ? RANK_TEST_MIN_RUNS - Math.min(m.runs.before, m.runs.after) : null;
    return {
      name: pageRowName(m.page, m.metric),
      label: `${m.page} ${timing ? TIMING_LABELS[timing] : m.metric}`,
      unit: timing === 'cls' ? 'score' : 'ms',
      betterWhen: 'lower',
      before: m.before,
      after: m.after,
      changePct: m.changePct,
      ci: null,
      pValue: m.pValue,
      verdict: m.verdict,
      samples: [m.runs.before, m.runs.after],
      sampleUnit: 'run',
      moreRuns,
      note: m.reason,
    } satisfies ComparisonRow;
  });
}

/** The row a page iteration is judged by: the first page's headline metric (LCP, else load), as the page report names it. */
export function pageHeadlineRow(rows: readonly ComparisonRow[], runs: readonly RunRecord[]): ComparisonRow | null {
  const first = runs.at(-1)?.page?.pages[0];
  if (!first) return null;
  const page = pageKey(first.url);
  return rows.find((r) => r.name === pageRowName(page, first.headlineMetric)) ?? rows.find((r) => r.name === pageRowName(page, 'load_ms')) ?? null;
}

export const pageHeadlineLabel = (r: RunRecord): string | null => {
  const p = r.page?.pages[0];
  return p ? `${pageKey(p.url)} ${TIMING_LABELS[p.headlineMetric]}` : null;
};

export { pageKey };

const show = (x: number | null) => (x === null ? '–' : String(x));
