import type { MetricContains, MetricType, Tags } from '../../core/metric.js';
import { BUILTIN_METRICS } from '../recorder.js';

/**
 * Custom metrics for scripts, k6-style: `const t = new Trend('login_time', true); … t.add(ms, { step: 'x' })`.
 * Import them as `import { Trend } from 'perfloop/load'` (or, for k6 scripts, `from 'k6/metrics'`): perfloop's
 * module hooks resolve both names to this file. Declarations are per thread; samples go to the thread's
 * active run, so workers each record their own and the engine merges them exactly.
 */
interface Sink {
  add(metric: string, value: number, tags?: Tags): void;
  metrics: { define(name: string, type: MetricType, contains?: MetricContains, exact?: boolean): unknown };
}

let active: Sink | null = null;
const declared = new Map<string, { type: MetricType; contains: MetricContains }>();

/** The engine points custom metrics at the run's recorder (and defines every declared one in it). */
export function setActiveSink(sink: Sink | null): void {
  active = sink;
  if (sink) for (const [name, d] of declared) sink.metrics.define(name, d.type, d.contains, true);
}

export function declaredMetrics(): ReadonlyMap<string, { type: MetricType; contains: MetricContains }> {
  return declared;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

abstract class CustomMetric {
  constructor(
    readonly name: string,
    type: MetricType,
    contains: MetricContains,
  ) {
    if (!NAME.test(name))
      throw new Error(`invalid metric name ${JSON.stringify(name)}: letters, digits and _ only`);
    if (BUILTIN_METRICS.includes(name)) throw new Error(`${name} is a built-in metric`);
    const prior = declared.get(name);
    if (prior && prior.type !== type) throw new Error(`metric ${name} is already a ${prior.type}`);
    declared.set(name, { type, contains });
    // Custom trends keep their values exactly (k6's semantics), not in the µs latency histogram.
    active?.metrics.define(name, type, contains, true);
  }

  add(value: number | boolean, tags?: Record<string, string>): void {
    active?.add(this.name, Number(value), tags ?? {});
  }
}

/** A distribution (avg, min, med, max, p(N)); `isTime` marks values as milliseconds. */
export class Trend extends CustomMetric {
  constructor(name: string, isTime = false) {
    super(name, 'trend', isTime ? 'time' : 'default');
  }
}

export class Counter extends CustomMetric {
  constructor(name: string) {
    super(name, 'counter', 'default');
  }
}

/** The share of non-zero (true) values. */
export class Rate extends CustomMetric {
  constructor(name: string) {
    super(name, 'rate', 'default');
  }
}

/** The last value (with min and max). */
export class Gauge extends CustomMetric {
  constructor(name: string, isTime = false) {
    super(name, 'gauge', isTime ? 'time' : 'default');
  }
}
