import { Histogram } from '../core/histogram.js';
import { MetricSet } from '../core/metric-set.js';
import type { CounterSink, RateSink, TrendSink } from '../core/metric.js';
import type { IntervalRecord } from '../core/run.js';

/** The k6 built-in metrics perfloop's load engine records, with k6's names. */
export function defineBuiltinMetrics(m: MetricSet): MetricSet {
  m.define('http_reqs', 'counter');
  m.define('http_req_duration', 'trend', 'time');
  m.define('http_req_connecting', 'trend', 'time');
  m.define('http_req_waiting', 'trend', 'time');
  m.define('http_req_receiving', 'trend', 'time');
  m.define('http_req_failed', 'rate');
  m.define('iterations', 'counter');
  m.define('iteration_duration', 'trend', 'time');
  m.define('dropped_iterations', 'counter');
  m.define('data_sent', 'counter', 'data');
  m.define('data_received', 'counter', 'data');
  m.define('vus', 'gauge');
  m.define('vus_max', 'gauge');
  return m;
}

export interface RequestOutcome {
  /** Index of the request template (tag `name`). */
  request: number;
  method: string;
  /** 0 when no response arrived (connection error, timeout). */
  status: number;
  durationMs: number;
  connectingMs: number;
  waitingMs: number;
  receivingMs: number;
  bytesIn: number;
  bytesOut: number;
}

interface SeriesRefs {
  reqs: CounterSink;
  duration: TrendSink;
  connecting: TrendSink;
  waiting: TrendSink;
  receiving: TrendSink;
  failed: RateSink;
}

/**
 * Records request outcomes into k6-named metrics and one-second intervals. The series of each (request,
 * status) pair is looked up once and cached, so the hot path does no tag-key string building.
 */
export class LoadRecorder {
  readonly metrics = defineBuiltinMetrics(new MetricSet());
  readonly intervals: IntervalRecord[] = [];
  private readonly series = new Map<number, SeriesRefs>();
  private interval = new Histogram();
  private intervalIndex = 0;
  private intervalCount = 0;
  private intervalErrors = 0;

  constructor(
    private readonly requestNames: readonly string[],
    private readonly scenario: string,
    /** performance.now() at the start of the measured window. */
    private readonly t0: number,
  ) {}

  record(o: RequestOutcome, now = performance.now()): void {
    this.advanceTo(now);
    const s = this.refs(o);
    const failed = o.status === 0 || o.status >= 400;
    s.reqs.add(1);
    s.failed.add(failed ? 1 : 0);
    this.intervalCount++;
    if (failed) this.intervalErrors++;
    if (o.status !== 0) {
      s.duration.add(o.durationMs);
      s.connecting.add(o.connectingMs);
      s.waiting.add(o.waitingMs);
      s.receiving.add(o.receivingMs);
      this.interval.recordMs(o.durationMs);
    }
    this.metrics.add('data_received', o.bytesIn);
    this.metrics.add('data_sent', o.bytesOut);
  }

  /** Closes every one-second interval that ended before `now`. */
  advanceTo(now: number): void {
    const index = Math.floor((now - this.t0) / 1000);
    while (this.intervalIndex < index) this.closeInterval();
  }

  /** Closes the last, partial interval (call once at the end). */
  finish(now = performance.now()): void {
    this.advanceTo(now);
    if (this.intervalCount > 0) this.closeInterval();
  }

  private closeInterval(): void {
    this.intervals.push({
      t: this.intervalIndex,
      count: this.intervalCount,
      errors: this.intervalErrors,
      histogram: this.interval.encode(),
    });
    this.interval.reset();
    this.intervalIndex++;
    this.intervalCount = 0;
    this.intervalErrors = 0;
  }

  private refs(o: RequestOutcome): SeriesRefs {
    const key = o.request * 1000 + o.status;
    let s = this.series.get(key);
    if (!s) {
      const tags = {
        name: this.requestNames[o.request],
        method: o.method,
        status: String(o.status),
        expected_response: String(o.status >= 200 && o.status < 400),
        scenario: this.scenario,
      };
      const m = this.metrics;
      s = {
        reqs: m.sink('http_reqs', tags) as CounterSink,
        duration: m.sink('http_req_duration', tags) as TrendSink,
        connecting: m.sink('http_req_connecting', tags) as TrendSink,
        waiting: m.sink('http_req_waiting', tags) as TrendSink,
        receiving: m.sink('http_req_receiving', tags) as TrendSink,
        failed: m.sink('http_req_failed', tags) as RateSink,
      };
      this.series.set(key, s);
    }
    return s;
  }
}
