import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBudget } from '../../src/gate/budget.js';
import { checkPageBudgets } from '../../src/gate/budget-pages.js';
import { compareValues } from '../../src/gate/compare/page-compare.js';
import { representativeRun, timingStats } from '../../src/page/stats.js';
import { cumulativeLayoutShift, totalBlockingTime } from '../../src/page/web-vitals.js';
import type { PageSummary, PageTimings } from '../../src/page/types.js';
import { PerfloopError } from '../../src/core/errors.js';

const timings = (o: Partial<PageTimings>): PageTimings => ({ ttfb_ms: 10, dcl_ms: 100, load_ms: 200, fcp_ms: 150, lcp_ms: 300, cls: 0, tbt_ms: 0, ...o });

test('TBT counts the part of each long task beyond 50 ms after FCP, as Lighthouse does', () => {
  assert.equal(totalBlockingTime([[1000, 400]], 500), 350);
  assert.equal(totalBlockingTime([[100, 300]], 300), 50, 'clipped at FCP: 100 ms after it, 50 of them blocking');
  assert.equal(totalBlockingTime([[100, 49], [1000, 50]], 0), 0, 'tasks of 50 ms or less block nothing');
  assert.equal(totalBlockingTime([], 0), 0);
});

test('CLS is the largest session window (gaps < 1 s, windows ≤ 5 s)', () => {
  assert.equal(cumulativeLayoutShift([]), 0);
  assert.equal(cumulativeLayoutShift([[100, 0.1], [500, 0.1]]), 0.2);
  assert.equal(cumulativeLayoutShift([[100, 0.1], [2000, 0.15]]), 0.15, 'a 1.9 s gap starts a new window');
  const steady = Array.from({ length: 12 }, (_, i) => [i * 600, 0.05] as [number, number]);
  assert.ok(Math.abs(cumulativeLayoutShift(steady) - 0.45) < 1e-9, 'a window ends after 5 s');
});

test('the representative run is the one closest to the median LCP (else load), and p50/p95 by nearest rank', () => {
  const runs = [timings({ lcp_ms: 900, load_ms: 100 }), timings({ lcp_ms: 400, load_ms: 900 }), timings({ lcp_ms: 510, load_ms: 300 }), timings({ lcp_ms: 2000 }), timings({ lcp_ms: 690, load_ms: 250 })];
  assert.deepEqual(representativeRun(runs), { index: 4, metric: 'lcp_ms' }, 'median LCP 690 (not the run with the median load)');
  const noLcp = runs.map((r) => ({ ...r, lcp_ms: null }));
  assert.deepEqual(representativeRun(noLcp), { index: 4, metric: 'load_ms' }, 'median load 250');
  const s = timingStats(runs);
  assert.deepEqual(s.lcp_ms, { p50: 690, p95: 2000 });
  assert.deepEqual(timingStats([timings({ lcp_ms: null })]).lcp_ms, { p50: null, p95: null });
});

const summary = (url: string, lcp: number, load: number): PageSummary =>
  ({ url, metrics: { ...Object.fromEntries(['ttfb_ms', 'dcl_ms', 'fcp_ms', 'cls', 'tbt_ms'].map((m) => [m, { p50: 0, p95: 0 }])), lcp_ms: { p50: lcp, p95: lcp * 2 }, load_ms: { p50: load, p95: load } } }) as unknown as PageSummary;

test('pages budget: limits by path on p50 (or p95), a crossed one fails, unmeasured pages are named', () => {
  const b = parseBudget({ pages: { '/checkout': { lcp_ms: { max: 2500 }, load_ms: { max: 3000 } }, '/cart': { lcp_ms: { max: 1000, of: 'p95' } }, '/gone': { load_ms: { max: 1 } } } }, 'budget.json');
  const { results, unmeasured } = checkPageBudgets(b.pages!, [summary('http://127.0.0.1:1/checkout', 2000, 3500), summary('http://127.0.0.1:1/cart?x=1', 600, 100)]);
  assert.deepEqual(
    results.map((r) => `${r.page} ${r.metric} ${r.of} ${r.actual} ${r.ok}`).sort(),
    ['/cart lcp_ms p95 1200 false', '/checkout lcp_ms p50 2000 true', '/checkout load_ms p50 3500 false'],
  );
  assert.deepEqual(unmeasured, ['/gone']);
});

test('pages budget: every schema error is listed with its path', () => {
  let err: unknown;
  try {
    parseBudget({ pages: { checkout: { lcp_ms: { max: 1 } }, '/a': { lcp: { max: 1 }, load_ms: { max: -1 } } } }, 'b.json');
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof PerfloopError);
  const m = (err as PerfloopError).message;
  for (const part of ['pages.checkout: a page is a path', 'pages./a: Unrecognized key: "lcp"', 'pages./a.load_ms.max']) assert.ok(m.includes(part), `${part} in ${m}`);
});

test('page compare: complete separation beyond the floor is improved, overlap is unknown, small changes are the same', () => {
  assert.equal(compareValues('/p', 'tbt_ms', [350, 360], [0, 0], 10, 5, 0.01).verdict, 'improved');
  assert.equal(compareValues('/p', 'tbt_ms', [0, 0], [350, 360], 10, 5, 0.01).verdict, 'regressed');
  assert.equal(compareValues('/p', 'load_ms', [200, 400], [300, 250], 10, 5, 0.01).verdict, 'unknown');
  assert.equal(compareValues('/p', 'load_ms', [200, 202], [205, 206], 10, 5, 0.01).verdict, 'same', '4 ms is below the noise floor');
  const five = compareValues('/p', 'lcp_ms', [500, 510, 520, 530, 540], [300, 310, 320, 330, 340], 10, 5, 0.01);
  assert.equal(five.verdict, 'improved');
  assert.match(five.reason, /Mann-Whitney p 0\.0079/);
});
