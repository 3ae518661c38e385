import type { RunRecord } from '../core/run.js';
import { fmtMs, fmtNum, fmtPct, mdEscape, mdTable } from './markdown.js';

/** One iteration of the loop: the run, and what it changed (from its label or the demo's catalogue). */
export interface Iteration {
  record: RunRecord;
  bottleneck: string;
  change: string;
}

const improvement = (before: number | null | undefined, after: number | null | undefined, higherIsBetter = false) => {
  if (before === null || before === undefined || after === null || after === undefined || before === 0) return '–';
  const pct = higherIsBetter ? (100 * (after - before)) / before : (100 * (before - after)) / before;
  return `${pct >= 0 ? '' : '−'}${fmtPct(Math.abs(pct), 0)}${pct < 0 ? ' (worse)' : ''}`;
};

/** The method's Iteration Log: each run's p95 against the previous run's. */
export function iterationLogTable(iterations: readonly Iteration[]): string {
  const rows: string[][] = [];
  for (let i = 1; i < iterations.length; i++) {
    const before = iterations[i - 1].record.metrics.http_req_duration.p95;
    const after = iterations[i].record.metrics.http_req_duration.p95;
    rows.push([String(i), mdEscape(iterations[i].bottleneck), mdEscape(iterations[i].change), fmtMs(before), fmtMs(after), improvement(before, after)]);
  }
  return mdTable(['#', 'Bottleneck', 'Change', 'Before (p95)', 'After (p95)', 'Improvement'], rows);
}

/** The method's Before vs After table, first run against last. */
export function beforeAfterTable(first: RunRecord, last: RunRecord): string {
  const a = first.metrics;
  const b = last.metrics;
  const mb = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${fmtNum(x, 0)}MB`);
  const rps = (x: number) => `${fmtNum(x, 0)} req/s`;
  return mdTable(
    ['Metric', 'Before', 'After', 'Improvement'],
    [
      ['p50 latency', fmtMs(a.http_req_duration.p50), fmtMs(b.http_req_duration.p50), improvement(a.http_req_duration.p50, b.http_req_duration.p50)],
      ['p95 latency', fmtMs(a.http_req_duration.p95), fmtMs(b.http_req_duration.p95), improvement(a.http_req_duration.p95, b.http_req_duration.p95)],
      ['p99 latency', fmtMs(a.http_req_duration.p99), fmtMs(b.http_req_duration.p99), improvement(a.http_req_duration.p99, b.http_req_duration.p99)],
      ['Throughput', rps(a.http_reqs.rate), rps(b.http_reqs.rate), improvement(a.http_reqs.rate, b.http_reqs.rate, true)],
      ['Memory usage (RSS max)', mb(a.memory?.rssMaxMb), mb(b.memory?.rssMaxMb), improvement(a.memory?.rssMaxMb, b.memory?.rssMaxMb)],
      ['Heap growth', a.memory?.heapUsedSlopeMbPerMin == null ? '–' : `${a.memory.heapUsedSlopeMbPerMin} MB/min`, b.memory?.heapUsedSlopeMbPerMin == null ? '–' : `${b.memory.heapUsedSlopeMbPerMin} MB/min`, '–'],
      ['CPU usage (mean)', fmtPct(a.cpu?.meanPct, 0), fmtPct(b.cpu?.meanPct, 0), '–'],
      ['Error rate', fmtPct(a.http_req_failed.rate * 100, 2), fmtPct(b.http_req_failed.rate * 100, 2), '–'],
    ],
  );
}
