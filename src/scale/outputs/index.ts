import { PerfloopError } from '../../core/errors.js';
import type { MetricDef } from '../../core/metric.js';
import type { PointsOutput } from '../../load/output/points-file.js';
import { otlpMetricsRequest } from './otlp.js';
import { encodeRemoteWrite, REMOTE_WRITE_HEADERS, remoteWriteSeries } from './prometheus-rw.js';
import { streamOutput } from './stream-output.js';

type Env = NodeJS.ProcessEnv;

/** k6's variable first (scripts written for k6 keep working), then perfloop's, then the default. */
const setting = (env: Env, names: string[], fallback: string) => names.map((n) => env[n]).find((x) => x !== undefined && x !== '') ?? fallback;

function flushMs(env: Env, names: string[]): number {
  const text = setting(env, names, '5s');
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (!m) throw new PerfloopError('USAGE', `${names[0]}: expected a push interval like 5s, got ${JSON.stringify(text)}`);
  return Math.max(100, Number(m[1]) * (m[2] === 'ms' ? 1 : 1000));
}

function endpoint(kind: string, text: string): string {
  try {
    const u = new URL(text);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
  } catch {
    // reported below
  }
  throw new PerfloopError('USAGE', `--out ${kind}=${text}: expected an http(s):// URL`);
}

/**
 * Streaming `--out` kinds, registered by name; `--out json=FILE|csv=FILE` stay with the points files. Settings come
 * from the environment as in k6: K6_PROMETHEUS_RW_TREND_STATS (default p(99)), K6_PROMETHEUS_RW_PUSH_INTERVAL
 * (5s), PERFLOOP_PROMETHEUS_RW_PREFIX (k6_); K6_OTEL_FLUSH_INTERVAL (5s), PERFLOOP_OTLP_PREFIX (k6.).
 */
const STREAMING: Record<string, (url: string, def: (name: string) => MetricDef | undefined, report: (l: string) => void, env: Env) => PointsOutput> = {
  'prometheus-rw': (url, def, report, env) => {
    const naming = {
      prefix: setting(env, ['PERFLOOP_PROMETHEUS_RW_PREFIX', 'K6_PROMETHEUS_RW_PREFIX'], 'k6_'),
      trendStats: setting(env, ['K6_PROMETHEUS_RW_TREND_STATS'], 'p(99)').split(',').map((s) => s.trim()).filter(Boolean),
    };
    return streamOutput({
      kind: 'prometheus-rw',
      url: endpoint('prometheus-rw', url),
      def,
      report,
      flushMs: flushMs(env, ['K6_PROMETHEUS_RW_PUSH_INTERVAL', 'PERFLOOP_OUT_PUSH_INTERVAL']),
      encode: (series, nowMs) => ({ body: encodeRemoteWrite(remoteWriteSeries(series, nowMs, naming)), headers: REMOTE_WRITE_HEADERS }),
    });
  },
  otlp: (url, def, report, env) => {
    const startMs = Date.now();
    const prefix = setting(env, ['PERFLOOP_OTLP_PREFIX'], 'k6.');
    return streamOutput({
      kind: 'otlp',
      url: endpoint('otlp', url),
      def,
      report,
      flushMs: flushMs(env, ['K6_OTEL_FLUSH_INTERVAL', 'PERFLOOP_OUT_PUSH_INTERVAL']),
      encode: (series, nowMs) => ({
        body: JSON.stringify(otlpMetricsRequest(series, { startMs, nowMs, prefix })),
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'perfloop' },
      }),
    });
  },
};

/** The streaming output a `--out KIND=URL` names, or undefined when KIND is not a streaming one. */
export function streamingOutput(
  spec: string,
  def: (name: string) => MetricDef | undefined,
  report: (line: string) => void,
  env: Env = process.env,
): PointsOutput | undefined {
  const eq = spec.indexOf('=');
  const make = eq > 0 ? STREAMING[spec.slice(0, eq)] : undefined;
  return make?.(spec.slice(eq + 1), def, report, env);
}
