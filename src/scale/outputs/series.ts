import { Histogram } from '../../core/histogram.js';
import type { MetricDef, Tags } from '../../core/metric.js';

/** One metric with one set of tags, aggregated since the start of the test (what k6's streaming outputs send). */
export interface Series {
  metric: string;
  def: MetricDef;
  tags: Tags;
  /** counter: sum · gauge: last value · rate: non-zero count · trend: sum. */
  value: number;
  /** rate and trend: how many samples. */
  count: number;
  min: number;
  max: number;
  /** trend only: the distribution (values in the metric's unit, held as µs-scaled HDR: 3 significant digits). */
  histogram?: Histogram;
  lastMs: number;
}

/**
 * Cumulative series of every sample the engine emits, keyed by metric and tags. Bounded: past `maxSeries`
 * distinct series (a URL tag with ids in it) new ones are dropped and counted, so memory stays flat.
 */
export class SeriesAggregator {
  readonly series = new Map<string, Series>();
  droppedSeries = 0;

  constructor(
    private readonly def: (name: string) => MetricDef | undefined,
    private readonly maxSeries = 5000,
  ) {}

  add(metric: string, value: number, tags: Tags, timeMs: number): void {
    const key = `${metric}\u0000${Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('\u0000')}`;
    let s = this.series.get(key);
    if (!s) {
      const def = this.def(metric) ?? { name: metric, type: 'trend', contains: 'default' };
      if (this.series.size >= this.maxSeries) {
        this.droppedSeries++;
        return;
      }
      s = { metric, def, tags: { ...tags }, value: 0, count: 0, min: Infinity, max: -Infinity, lastMs: timeMs };
      if (def.type === 'trend') s.histogram = new Histogram();
      this.series.set(key, s);
    }
    s.lastMs = Math.max(s.lastMs, timeMs);
    s.min = Math.min(s.min, value);
    s.max = Math.max(s.max, value);
    switch (s.def.type) {
      case 'counter':
        s.value += value;
        break;
      case 'gauge':
        s.value = value;
        break;
      case 'rate':
        s.count++;
        if (value !== 0) s.value++;
        break;
      default:
        s.count++;
        s.value += value;
        s.histogram!.recordMs(Math.max(0, value));
    }
  }
}

/** A trend statistic as k6 names it (`p(99)`, `avg`, `med`, `min`, `max`, `count`, `sum`) of one series. */
export function trendStat(s: Series, stat: string): number | undefined {
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (p) return s.histogram!.percentile(Number(p[1])) / 1000;
  switch (stat) {
    case 'avg':
      return s.count > 0 ? s.value / s.count : 0;
    case 'med':
      return s.histogram!.percentile(50) / 1000;
    case 'min':
      return s.min;
    case 'max':
      return s.max;
    case 'count':
      return s.count;
    case 'sum':
      return s.value;
    default:
      return undefined;
  }
}
