import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricSet } from '../../src/core/metric-set.js';
import { CounterSink, GaugeSink, RateSink, TrendSink } from '../../src/core/metric.js';

function sample(): MetricSet {
  const m = new MetricSet();
  m.define('http_reqs', 'counter');
  m.define('http_req_failed', 'rate');
  m.define('http_req_duration', 'trend', 'time');
  m.define('vus', 'gauge');
  return m;
}

test('series per tag set and sub-metric aggregation by tag filter', () => {
  const m = sample();
  m.add('http_req_duration', 10, { name: 'login', status: '200' });
  m.add('http_req_duration', 30, { name: 'login', status: '500' });
  m.add('http_req_duration', 100, { name: 'search', status: '200' });
  assert.equal(m.seriesOf('http_req_duration').length, 3);
  const login = m.aggregate('http_req_duration', { name: 'login' }) as TrendSink;
  assert.equal(login.histogram.count, 2);
  assert.ok(Math.abs(login.histogram.maxUs - 30_000) <= 30);
  const all = m.aggregate('http_req_duration') as TrendSink;
  assert.equal(all.histogram.count, 3);
  assert.equal(m.aggregate('nope'), undefined);
});

test('counter, rate, gauge semantics', () => {
  const m = sample();
  m.add('http_reqs', 1);
  m.add('http_reqs', 2);
  m.add('http_req_failed', 0);
  m.add('http_req_failed', 1);
  m.add('http_req_failed', 0);
  m.add('http_req_failed', 0);
  (m.sink('vus') as GaugeSink).add(5, 1);
  (m.sink('vus') as GaugeSink).add(3, 2);
  assert.equal((m.aggregate('http_reqs') as CounterSink).sum, 3);
  assert.equal((m.aggregate('http_req_failed') as RateSink).rate, 0.25);
  const g = m.aggregate('vus') as GaugeSink;
  assert.deepEqual([g.value, g.min, g.max], [3, 3, 5]);
});

test('JSON round trip and merge across sets are exact', () => {
  const a = sample();
  const b = sample();
  for (let i = 1; i <= 1000; i++) (i % 2 ? a : b).add('http_req_duration', i / 10, { name: 'x' });
  a.add('http_reqs', 500);
  b.add('http_reqs', 500);
  const merged = MetricSet.fromJSON(JSON.parse(JSON.stringify(a.toJSON()))).merge(
    MetricSet.fromJSON(JSON.parse(JSON.stringify(b.toJSON()))),
  );
  assert.equal((merged.aggregate('http_reqs') as CounterSink).sum, 1000);
  const h = (merged.aggregate('http_req_duration') as TrendSink).histogram;
  assert.equal(h.count, 1000);
  assert.ok(Math.abs(h.percentile(50) - 50_000) <= 50);
});

test('redefining a metric with another type is refused', () => {
  const m = sample();
  assert.throws(() => m.define('http_reqs', 'trend'), /counter/);
  assert.throws(() => m.add('missing', 1), /not defined/);
});
