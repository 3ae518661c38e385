import { Histogram } from '../../core/histogram.js';
import type { RunRecord } from '../../core/run.js';
import { COLORS, type ChartSpec } from './chart-spec.js';

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Per-second latency percentiles of a run (ms), from each interval's histogram; null for an empty second. */
export function latencySeries(r: RunRecord): { t: number[]; p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] } {
  const t: number[] = [];
  const p50: (number | null)[] = [];
  const p95: (number | null)[] = [];
  const p99: (number | null)[] = [];
  for (const i of r.intervals) {
    const h = Histogram.decode(i.histogram);
    t.push(i.t);
    p50.push(h.count ? r2(h.percentile(50) / 1000) : null);
    p95.push(h.count ? r2(h.percentile(95) / 1000) : null);
    p99.push(h.count ? r2(h.percentile(99) / 1000) : null);
  }
  return { t, p50, p95, p99 };
}

/**
 * The run's phases as chart markers: seconds a heap snapshot paused the service, and where the unmeasured memory
 * phase (resources sampled after the load) begins.
 */
export function phaseMarks(r: RunRecord): ChartSpec['marks'] {
  const marks: NonNullable<ChartSpec['marks']> = [];
  for (const i of r.intervals) if (i.disturbed) marks.push({ x: i.t, label: 'snapshot', color: '#8e24aa' });
  const lastT = r.intervals.at(-1)?.t;
  if (lastT !== undefined && r.timeline.some((p) => p.t > lastT + 1)) marks.push({ x: lastT + 1, label: 'memory phase', color: '#546e7a' });
  return marks;
}

/** Every per-second chart of one run: latency, throughput, errors, CPU, RSS, heap, event-loop delay. */
export function runCharts(r: RunRecord, prefix = 'run'): ChartSpec[] {
  const lat = latencySeries(r);
  const marks = phaseMarks(r);
  const tl = r.timeline;
  const tt = tl.map((p) => p.t);
  const charts: ChartSpec[] = [
    {
      id: `${prefix}-latency`,
      title: 'Latency per second',
      unit: 'ms',
      x: lat.t,
      series: [
        { name: 'p50', color: COLORS.p50, values: lat.p50 },
        { name: 'p95', color: COLORS.p95, values: lat.p95 },
        { name: 'p99', color: COLORS.p99, values: lat.p99 },
      ],
      marks,
      budgets: r.budget?.p95_latency_ms !== undefined ? [{ value: r.budget.p95_latency_ms, label: 'p95 budget' }] : [],
    },
    { id: `${prefix}-rps`, title: 'Throughput', unit: 'req/s', x: lat.t, series: [{ name: 'req/s', color: COLORS.rps, values: r.intervals.map((i) => i.count) }], marks },
    { id: `${prefix}-errors`, title: 'Errors per second', unit: 'errors', x: lat.t, series: [{ name: 'errors', color: COLORS.errors, values: r.intervals.map((i) => i.errors) }], marks },
  ];
  if (tl.some((p) => p.cpuPct !== null))
    charts.push({ id: `${prefix}-cpu`, title: 'Target CPU (100% = one core)', unit: '%', x: tt, series: [{ name: 'CPU', color: COLORS.cpu, values: tl.map((p) => p.cpuPct) }], marks });
  if (tl.some((p) => p.rssMb !== null))
    charts.push({ id: `${prefix}-rss`, title: 'Target RSS', unit: 'MB', x: tt, series: [{ name: 'RSS', color: COLORS.rss, values: tl.map((p) => p.rssMb) }], marks });
  // The V8 heap on its own chart: under the RSS scale it would be a flat line near 0.
  if (tl.some((p) => p.heapUsedMb !== null))
    charts.push({
      id: `${prefix}-heap`,
      title: 'V8 heap',
      unit: 'MB',
      x: tt,
      series: [
        { name: 'heap used', color: COLORS.heap, values: tl.map((p) => p.heapUsedMb) },
        { name: 'live heap (after full GC)', color: COLORS.live, values: tl.map((p) => p.liveHeapMb) },
      ],
      marks,
    });
  if (tl.some((p) => p.eventLoopP99Ms !== null))
    charts.push({ id: `${prefix}-loop`, title: 'Event-loop delay p99', unit: 'ms', x: tt, series: [{ name: 'p99 delay', color: COLORS.loop, values: tl.map((p) => p.eventLoopP99Ms) }], marks });
  return charts;
}
