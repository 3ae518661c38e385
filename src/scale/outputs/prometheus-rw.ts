// Prometheus remote write 1.0: https://prometheus.io/docs/specs/prw/remote_write_spec/
// A snappy-compressed (block format) protobuf WriteRequest, POSTed with the headers the spec requires.
import snappy from 'snappyjs';
import type { Series } from './series.js';
import { trendStat } from './series.js';

export interface PrometheusNaming {
  /** Prepended to every metric name; k6's output uses "k6_". */
  prefix: string;
  /** Trend statistics to send, k6's names: p(99), p(95), avg, med, min, max, count, sum. k6's default: p(99). */
  trendStats: readonly string[];
}

/**
 * The time series of one push, named as k6's Prometheus remote-write output names them: counters
 * `<prefix><name>_total`, gauges `<prefix><name>`, rates `<prefix><name>_rate`, trends one series per statistic
 * `<prefix><name>_<stat>` (p(99) → p99, p(99.9) → p999), time trends in seconds. Tags become labels.
 */
export function remoteWriteSeries(
  series: readonly Series[],
  nowMs: number,
  n: PrometheusNaming,
): { labels: [string, string][]; value: number; timestampMs: number }[] {
  const out: { labels: [string, string][]; value: number; timestampMs: number }[] = [];
  for (const s of series) {
    const base = `${n.prefix}${s.metric}`;
    const labels = Object.entries(s.tags).map(([k, v]) => [labelName(k), v] as [string, string]);
    const one = (name: string, value: number) =>
      out.push({ labels: sortLabels([['__name__', metricName(name)], ...labels]), value, timestampMs: nowMs });
    if (s.def.type === 'counter') one(`${base}_total`, s.value);
    else if (s.def.type === 'gauge') one(base, s.value);
    else if (s.def.type === 'rate') one(`${base}_rate`, s.count > 0 ? s.value / s.count : 0);
    else {
      const seconds = s.def.contains === 'time';
      for (const stat of n.trendStats) {
        const v = trendStat(s, stat);
        if (v === undefined) continue;
        const scaled = seconds && stat !== 'count' ? v / 1000 : v;
        one(`${base}_${stat.replace(/^p\((.+)\)$/, 'p$1').replace('.', '')}`, scaled);
      }
    }
  }
  return out;
}

export function encodeRemoteWrite(series: ReturnType<typeof remoteWriteSeries>): Uint8Array {
  const w = new ProtoWriter();
  for (const ts of series) {
    w.message(1, (t) => {
      for (const [name, value] of ts.labels)
        t.message(1, (l) => {
          l.string(1, name);
          l.string(2, value);
        });
      t.message(2, (s) => {
        s.double(1, ts.value);
        s.varint(2, ts.timestampMs);
      });
    });
  }
  return snappy.compress(w.finish());
}

export const REMOTE_WRITE_HEADERS = {
  'Content-Type': 'application/x-protobuf',
  'Content-Encoding': 'snappy',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
  'User-Agent': 'perfloop',
};

const metricName = (s: string) => s.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^([0-9])/, '_$1');
const labelName = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
const sortLabels = (l: [string, string][]) => l.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The few protobuf wire-format writes the four remote-write messages need (length-delimited, double, varint).
 * Written here rather than protobufjs + a .proto: ~40 lines against a dependency and a schema loader at start-up.
 */
class ProtoWriter {
  private chunks: Uint8Array[] = [];

  private tag(field: number, wire: number) {
    this.raw(varintBytes(field * 8 + wire));
  }
  private raw(b: Uint8Array) {
    this.chunks.push(b);
  }
  varint(field: number, n: number) {
    this.tag(field, 0);
    this.raw(varintBytes(n));
  }
  double(field: number, x: number) {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, true);
    this.raw(b);
  }
  string(field: number, s: string) {
    const b = new TextEncoder().encode(s);
    this.tag(field, 2);
    this.raw(varintBytes(b.length));
    this.raw(b);
  }
  message(field: number, build: (w: ProtoWriter) => void) {
    const inner = new ProtoWriter();
    build(inner);
    const b = inner.finish();
    this.tag(field, 2);
    this.raw(varintBytes(b.length));
    this.raw(b);
  }
  finish(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/** Unsigned varint of a non-negative integer up to 2^53 (timestamps in ms are ~2^41). */
function varintBytes(n: number): Uint8Array {
  const out: number[] = [];
  let x = Math.max(0, Math.floor(n));
  while (x >= 0x80) {
    out.push((x % 0x80) | 0x80);
    x = Math.floor(x / 0x80);
  }
  out.push(x);
  return Uint8Array.from(out);
}
