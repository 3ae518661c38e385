import { Histogram } from '../core/histogram.js';
import { MetricSet } from '../core/metric-set.js';
import { tagsKey, type CounterSink, type RateSink, type Sink, type Tags, type TrendSink } from '../core/metric.js';
import type { EndpointInterval, IntervalRecord } from '../core/run.js';
import { BucketAccumulator } from './bucket-accumulator.js';

/** The k6 built-in metrics perfloop's load engine records, with k6's names (plus the uncorrected latency). */
export function defineBuiltinMetrics(m: MetricSet): MetricSet {
  m.define('http_reqs', 'counter');
  m.define('http_req_duration', 'trend', 'time');
  // Latency from the actual send, without the wait for a free VU/connection (what wrk/autocannon report).
  m.define('http_req_duration_uncorrected', 'trend', 'time');
  m.define('http_req_blocked', 'trend', 'time');
  m.define('http_req_connecting', 'trend', 'time');
  m.define('http_req_sending', 'trend', 'time');
  m.define('http_req_waiting', 'trend', 'time');
  m.define('http_req_receiving', 'trend', 'time');
  m.define('http_req_failed', 'rate');
  m.define('iterations', 'counter');
  m.define('iteration_duration', 'trend', 'time');
  m.define('dropped_iterations', 'counter');
  m.define('late_iterations', 'counter');
  m.define('data_sent', 'counter', 'data');
  m.define('data_received', 'counter', 'data');
  m.define('vus', 'gauge');
  m.define('vus_max', 'gauge');
  m.define('checks', 'rate');
  m.define('group_duration', 'trend', 'time');
  return m;
}

export const BUILTIN_METRICS: readonly string[] = defineBuiltinMetrics(new MetricSet()).names();

export interface RequestOutcome {
  /** Index of the request template (tag `name`). */
  request: number;
  method: string;
  /** 0 when no response arrived (connection error, timeout). */
  status: number;
  /** From the intended send time (coordinated-omission corrected) to the last byte. */
  durationMs: number;
  /** From the actual send; defaults to durationMs (closed model: they are the same). */
  uncorrectedMs?: number;
  /** Queued before the write (behind pipelined requests), connect time excluded. */
  blockedMs?: number;
  connectingMs: number;
  /** Writing the request to the socket; only transports that can see it (the HTTP/1.1 fast path) set it. */
  sendingMs?: number;
  waitingMs: number;
  receivingMs: number;
  bytesIn: number;
  bytesOut: number;
  /** Index of the scenario (tag `scenario`); 0 when the run has one. */
  scenario?: number;
  /** k6's expected_response from a script's response callback; default: a response with status < 400. */
  expected?: boolean;
}

/** A sample as `--out json|csv` writes it: metric, value, tags, wall-clock ms. */
export type PointSink = (metric: string, value: number, tags: Tags, timeMs: number) => void;

interface SeriesRefs {
  tags: Tags;
  scenario: number;
  /** False while every sample had uncorrected = corrected (closed models): the uncorrected sink is then a copy. */
  lateSeen: boolean;
  /** Samples that round to ≤ 1 µs (the histogram's floor), recorded in bulk by sync(). */
  zeroBlocked: number;
  zeroConnecting: number;
  zeroReceiving: number;
  /** Integer-bucket fronts of the always-recorded trends (request-mix series only; scripts record directly). */
  fast: {
    duration: BucketAccumulator;
    uncorrected: BucketAccumulator;
    waiting: BucketAccumulator;
    /** Made on the first measured sending time (undici and scripts never measure it). */
    sending: BucketAccumulator | null;
  } | null;
  reqs: CounterSink;
  duration: TrendSink;
  uncorrected: TrendSink;
  blocked: TrendSink;
  connecting: TrendSink;
  /** Made on the first measured sending time, so transports that cannot see it show no empty metric. */
  sending: TrendSink | null;
  waiting: TrendSink;
  receiving: TrendSink;
  failed: RateSink;
}

/**
 * Mixes of up to this many requests get per-endpoint intervals (each costs a ~110 KB bucket front); larger
 * generated mixes keep the whole-mix intervals only.
 */
const MAX_ENDPOINT_INTERVALS = 32;

/** Below this (ms) a sample lands in the histogram's lowest (1 µs) bucket: counted, recorded in bulk. */
const FLOOR_MS = 0.0015;

/**
 * Records request outcomes into k6-named metrics and one-second intervals. The series of each
 * (scenario, request, status) is looked up once and cached, so the hot path builds no tag strings.
 *
 * Recording into an HDR histogram is the hot path's largest cost, so the recorder avoids records that
 * would not change any result: the uncorrected latency is a copy of the corrected one until a request is
 * actually late; sub-µs timings (kept-alive connects, one-packet bodies) are counted and added in bulk; in
 * quick mode an iteration is its request, so iteration_duration is derived from http_req_duration. `sync()`
 * (called by finish() and before snapshots) makes the metric sinks exact.
 */
export class LoadRecorder {
  readonly metrics = defineBuiltinMetrics(new MetricSet());
  readonly intervals: IntervalRecord[] = [];
  /** Set to receive every sample (for --out); costs a call per metric per request. */
  points: PointSink | null = null;
  private readonly series = new Map<number, SeriesRefs>();
  private readonly taggedSeries = new Map<string, SeriesRefs>();
  private readonly iterationSinks = new Map<
    number,
    { count: CounterSink; duration: TrendSink; tags: Tags; failed: Histogram | null }
  >();
  /** Quick mode: iteration_duration is derived from the requests' durations (see requestIteration). */
  private mirrored = false;
  private readonly dataSent: CounterSink;
  private readonly dataReceived: CounterSink;
  private readonly scenarios: readonly string[];
  private interval = new Histogram();
  private readonly intervalAcc = new BucketAccumulator(this.interval);
  private intervalIndex = 0;
  private intervalCount = 0;
  private intervalErrors = 0;
  /** This second per request template (index), when the mix has several: count, errors, latency. */
  private readonly endpointIntervals: ({
    histogram: Histogram;
    acc: BucketAccumulator;
    count: number;
    errors: number;
  } | null)[] = [];

  constructor(
    private readonly requestNames: readonly string[],
    scenario: string | readonly string[],
    /** performance.now() at the start of the measured window. */
    private readonly t0: number,
  ) {
    this.scenarios = typeof scenario === 'string' ? [scenario] : scenario;
    this.dataSent = this.metrics.sink('data_sent') as CounterSink;
    this.dataReceived = this.metrics.sink('data_received') as CounterSink;
  }

  /** performance.now() at the start of the measured window. */
  get startedAt(): number {
    return this.t0;
  }

  record(o: RequestOutcome, now = performance.now()): void {
    this.recordInto(this.refs(o), o, now);
    const n = this.requestNames.length;
    if (n > 1 && n <= MAX_ENDPOINT_INTERVALS) this.recordEndpoint(o);
  }

  /** After recordInto (which closed the seconds that ended): the request's endpoint's share of this second. */
  private recordEndpoint(o: RequestOutcome): void {
    let e = this.endpointIntervals[o.request];
    if (!e) {
      const histogram = new Histogram();
      e = this.endpointIntervals[o.request] = {
        histogram,
        acc: new BucketAccumulator(histogram),
        count: 0,
        errors: 0,
      };
    }
    e.count++;
    if (o.status === 0 || o.status >= 400) e.errors++;
    if (o.status !== 0) e.acc.recordMs(o.durationMs);
  }

  private readonly sinksByTags = new WeakMap<Tags, Map<string, Sink>>();

  /** Sorted keys of the tag objects scripts reuse. */
  private readonly tagKeys = new WeakMap<Tags, string>();

  /** Records a request with arbitrary tags (scripts: URL names, groups, custom tags). */
  recordTagged(tags: Tags, o: RequestOutcome, now = performance.now()): void {
    // Scripts reuse one tags object per request site (k6/http-client.ts): its sorted key is computed once.
    let tk = this.tagKeys.get(tags);
    if (tk === undefined) this.tagKeys.set(tags, (tk = tagsKey(tags)));
    const expected = o.expected ?? (o.status >= 200 && o.status < 400);
    const key = `${o.status}|${expected ? 1 : 0}|${tk}`;
    let s = this.taggedSeries.get(key);
    if (!s) {
      s = this.newRefs({
        ...tags,
        status: String(o.status),
        expected_response: String(expected),
      });
      this.taggedSeries.set(key, s);
    }
    this.recordInto(s, o, now);
  }

  private iterationSink(scenario: number) {
    let s = this.iterationSinks.get(scenario);
    if (!s) {
      const tags = { scenario: this.scenarios[scenario] ?? 'default' };
      s = {
        tags,
        count: this.metrics.sink('iterations', tags) as CounterSink,
        duration: this.metrics.sink('iteration_duration', tags) as TrendSink,
        failed: null,
      };
      this.iterationSinks.set(scenario, s);
    }
    return s;
  }

  /**
   * The iteration of a request VU (one request, already recorded with `durationMs` when it got a response):
   * only counted here; sync() derives iteration_duration from the scenario's http_req_duration.
   */
  requestIteration(scenario: number, durationMs: number, responded: boolean, now = performance.now()): void {
    if (this.points) return this.iteration(scenario, durationMs, now);
    this.mirrored = true;
    const s = this.iterationSink(scenario);
    s.count.add(1);
    if (!responded) (s.failed ??= new Histogram()).recordMs(durationMs);
  }

  /** One finished iteration of a scenario. */
  iteration(scenario: number, durationMs: number, now = performance.now()): void {
    const s = this.iterationSink(scenario);
    s.count.add(1);
    s.duration.add(durationMs);
    if (this.points) {
      const t = performance.timeOrigin + now;
      this.points('iterations', 1, s.tags, t);
      this.points('iteration_duration', durationMs, s.tags, t);
    }
  }

  /** A sample of any metric (checks, custom metrics, group_duration). */
  add(metric: string, value: number, tags: Tags = {}): void {
    // k6 scripts reuse one tags object per check or metric site (modules/k6.ts): its sinks are looked up once.
    let sinks = this.sinksByTags.get(tags);
    if (!sinks) this.sinksByTags.set(tags, (sinks = new Map()));
    let sink = sinks.get(metric);
    if (!sink) sinks.set(metric, (sink = this.metrics.sink(metric, tags)));
    sink.add(value);
    if (this.points) this.points(metric, value, tags, performance.timeOrigin + performance.now());
  }

  private recordInto(s: SeriesRefs, o: RequestOutcome, now: number): void {
    this.advanceTo(now);
    const failed = o.expected === undefined ? o.status === 0 || o.status >= 400 : !o.expected;
    s.reqs.add(1);
    s.failed.add(failed ? 1 : 0);
    this.intervalCount++;
    if (failed) this.intervalErrors++;
    const uncorrected = o.uncorrectedMs ?? o.durationMs;
    if (o.status !== 0) {
      const fast = s.fast;
      if (!s.lateSeen && uncorrected !== o.durationMs) {
        // The first late request of the series: until now both latencies were equal, so copy.
        s.lateSeen = true;
        fast?.duration.flush();
        s.uncorrected.histogram.reset();
        s.uncorrected.histogram.merge(s.duration.histogram);
      }
      if (fast) {
        fast.duration.recordMs(o.durationMs);
        if (s.lateSeen) fast.uncorrected.recordMs(uncorrected);
        fast.waiting.recordMs(o.waitingMs);
      } else {
        s.duration.add(o.durationMs);
        if (s.lateSeen) s.uncorrected.add(uncorrected);
        s.waiting.add(o.waitingMs);
      }
      const blocked = o.blockedMs ?? 0;
      if (blocked < FLOOR_MS) s.zeroBlocked++;
      else s.blocked.add(blocked);
      if (o.connectingMs < FLOOR_MS) s.zeroConnecting++;
      else s.connecting.add(o.connectingMs);
      if (o.receivingMs < FLOOR_MS) s.zeroReceiving++;
      else s.receiving.add(o.receivingMs);
      if (o.sendingMs !== undefined) this.recordSending(s, o.sendingMs);
      this.intervalAcc.recordMs(o.durationMs);
    }
    this.dataReceived.add(o.bytesIn);
    this.dataSent.add(o.bytesOut);
    if (this.points) this.emit(s, o, uncorrected, failed, now);
  }

  private recordSending(s: SeriesRefs, ms: number): void {
    const sink = (s.sending ??= this.metrics.sink('http_req_sending', s.tags) as TrendSink);
    if (s.fast) (s.fast.sending ??= new BucketAccumulator(sink.histogram)).recordMs(ms);
    else sink.add(ms);
  }

  private emit(s: SeriesRefs, o: RequestOutcome, uncorrected: number, failed: boolean, now: number): void {
    const p = this.points!;
    const t = performance.timeOrigin + now;
    p('http_reqs', 1, s.tags, t);
    p('http_req_failed', failed ? 1 : 0, s.tags, t);
    if (o.status !== 0) {
      p('http_req_duration', o.durationMs, s.tags, t);
      p('http_req_duration_uncorrected', uncorrected, s.tags, t);
      p('http_req_connecting', o.connectingMs, s.tags, t);
      if (o.sendingMs !== undefined) p('http_req_sending', o.sendingMs, s.tags, t);
      p('http_req_waiting', o.waitingMs, s.tags, t);
      p('http_req_receiving', o.receivingMs, s.tags, t);
    }
    p('data_sent', o.bytesOut, s.tags, t);
    p('data_received', o.bytesIn, s.tags, t);
  }

  /** Closes every one-second interval that ended before `now`. */
  advanceTo(now: number): void {
    const index = Math.floor((now - this.t0) / 1000);
    while (this.intervalIndex < index) this.closeInterval();
  }

  /** Closes the last, partial interval (call once at the end) and makes the metrics exact. */
  finish(now = performance.now()): void {
    this.advanceTo(now);
    if (this.intervalCount > 0) this.closeInterval();
    this.sync();
  }

  /** Brings the deferred parts into the metric sinks (idempotent; call before reading metrics mid-run). */
  sync(): void {
    const all = [...this.series.values(), ...this.taggedSeries.values()];
    for (const s of all) {
      if (s.fast) {
        s.fast.duration.flush();
        s.fast.uncorrected.flush();
        s.fast.waiting.flush();
        s.fast.sending?.flush();
      }
      if (!s.lateSeen) {
        s.uncorrected.histogram.reset();
        s.uncorrected.histogram.merge(s.duration.histogram);
      }
      if (s.zeroBlocked > 0) s.blocked.histogram.recordCount(1, s.zeroBlocked);
      if (s.zeroConnecting > 0) s.connecting.histogram.recordCount(1, s.zeroConnecting);
      if (s.zeroReceiving > 0) s.receiving.histogram.recordCount(1, s.zeroReceiving);
      s.zeroBlocked = s.zeroConnecting = s.zeroReceiving = 0;
    }
    if (this.mirrored) {
      for (const [scenario, it] of this.iterationSinks) {
        it.duration.histogram.reset();
        if (it.failed) it.duration.histogram.merge(it.failed);
        for (const s of this.series.values())
          if (s.scenario === scenario) it.duration.histogram.merge(s.duration.histogram);
      }
    }
  }

  private closeInterval(): void {
    this.intervalAcc.flush();
    // Seconds before the first request (a startTime, a slow connect) are kept: intervals stay aligned by index.
    this.intervals.push({
      t: this.intervalIndex,
      count: this.intervalCount,
      errors: this.intervalErrors,
      histogram: this.interval.encode(),
      ...this.takeEndpointIntervals(),
    });
    this.interval.reset();
    this.intervalIndex++;
    this.intervalCount = 0;
    this.intervalErrors = 0;
  }

  private takeEndpointIntervals(): { endpoints?: Record<string, EndpointInterval> } {
    let endpoints: Record<string, EndpointInterval> | undefined;
    this.endpointIntervals.forEach((e, request) => {
      if (!e || e.count === 0) return;
      e.acc.flush();
      (endpoints ??= {})[this.requestNames[request]] = {
        count: e.count,
        errors: e.errors,
        histogram: e.histogram.encode(),
      };
      e.histogram.reset();
      e.count = e.errors = 0;
    });
    return endpoints ? { endpoints } : {};
  }

  private refs(o: RequestOutcome): SeriesRefs {
    const scenario = o.scenario ?? 0;
    const key = (scenario * 65536 + o.request) * 1000 + o.status;
    let s = this.series.get(key);
    if (!s) {
      s = this.newRefs(
        {
          name: this.requestNames[o.request],
          method: o.method,
          status: String(o.status),
          expected_response: String(o.status >= 200 && o.status < 400),
          scenario: this.scenarios[scenario] ?? 'default',
        },
        scenario,
      );
      const r = s;
      r.fast = {
        duration: new BucketAccumulator(r.duration.histogram),
        uncorrected: new BucketAccumulator(r.uncorrected.histogram),
        waiting: new BucketAccumulator(r.waiting.histogram),
        sending: null,
      };
      this.series.set(key, s);
    }
    return s;
  }

  private newRefs(tags: Tags, scenario = -1): SeriesRefs {
    const m = this.metrics;
    return {
      tags,
      scenario,
      lateSeen: false,
      zeroBlocked: 0,
      zeroConnecting: 0,
      zeroReceiving: 0,
      fast: null,
      reqs: m.sink('http_reqs', tags) as CounterSink,
      duration: m.sink('http_req_duration', tags) as TrendSink,
      uncorrected: m.sink('http_req_duration_uncorrected', tags) as TrendSink,
      blocked: m.sink('http_req_blocked', tags) as TrendSink,
      connecting: m.sink('http_req_connecting', tags) as TrendSink,
      sending: null,
      waiting: m.sink('http_req_waiting', tags) as TrendSink,
      receiving: m.sink('http_req_receiving', tags) as TrendSink,
      failed: m.sink('http_req_failed', tags) as RateSink,
    };
  }
}
