import { closeSync, openSync, writeSync } from 'node:fs';
import { PerfloopError } from '../../core/errors.js';
import type { MetricDef, Tags } from '../../core/metric.js';
import type { PointSink } from '../recorder.js';

/** A `--out` target: receives every sample, writes it in its format, flushes in blocks. */
export interface PointsOutput {
  readonly sink: PointSink;
  /** Metric declarations known at the end (NDJSON writes them before a metric's first point). */
  close(): void | Promise<void>;
}

const FLUSH_BYTES = 256 * 1024;

/** Buffered appends to one file, written synchronously in large blocks (the hot path only concatenates). */
export class BlockWriter {
  private readonly fd: number;
  private buf = '';

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new PerfloopError('USAGE', `--out: cannot write ${path}: ${(e as Error).message}`);
    }
  }

  write(text: string): void {
    this.buf += text;
    if (this.buf.length >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.buf) writeSync(this.fd, this.buf);
    this.buf = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * k6's JSON output (https://grafana.com/docs/k6/latest/results-output/real-time/json/): one line per
 * metric declaration, then one `Point` line per sample.
 */
export function ndjsonOutput(
  path: string,
  def: (name: string) => MetricDef | undefined,
  thresholds: Record<string, string[]>,
): PointsOutput {
  const w = new BlockWriter(path);
  const declared = new Set<string>();
  return {
    sink(metric, value, tags, timeMs) {
      if (!declared.has(metric)) {
        declared.add(metric);
        const d = def(metric);
        w.write(
          `${JSON.stringify({ type: 'Metric', data: { name: metric, type: d?.type ?? 'trend', contains: d?.contains ?? 'default', thresholds: thresholds[metric] ?? [], submetrics: null }, metric })}\n`,
        );
      }
      w.write(
        `{"type":"Point","data":{"time":"${new Date(timeMs).toISOString()}","value":${value},"tags":${JSON.stringify(tags)}},"metric":"${metric}"}\n`,
      );
    },
    close: () => w.close(),
  };
}

const CSV_TAGS = [
  'check',
  'error',
  'error_code',
  'expected_response',
  'group',
  'method',
  'name',
  'proto',
  'scenario',
  'service',
  'status',
  'subproto',
  'tls_version',
  'url',
];
const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** k6's CSV output: k6's columns (unknown tags go to extra_tags as k=v&k=v), unix-seconds timestamps. */
export function csvOutput(path: string): PointsOutput {
  const w = new BlockWriter(path);
  w.write(`metric_name,timestamp,metric_value,${CSV_TAGS.join(',')},extra_tags,metadata\n`);
  return {
    sink(metric, value, tags: Tags, timeMs) {
      const extra = Object.entries(tags)
        .filter(([k]) => !CSV_TAGS.includes(k))
        .map(([k, v]) => `${k}=${v}`)
        .join('&');
      w.write(
        `${metric},${Math.floor(timeMs / 1000)},${value},${CSV_TAGS.map((k) => csvCell(tags[k] ?? '')).join(',')},${csvCell(extra)},\n`,
      );
    },
    close: () => w.close(),
  };
}

/** Parses `--out json=FILE` / `--out csv=FILE`. */
export function parseOutSpec(spec: string): { format: 'json' | 'csv'; path: string } {
  const m = /^(json|csv)=(.+)$/.exec(spec);
  if (!m) throw new PerfloopError('USAGE', `--out ${JSON.stringify(spec)}: expected json=FILE or csv=FILE`);
  return { format: m[1] as 'json' | 'csv', path: m[2] };
}

/** Fans one sample out to several outputs. */
export function combine(outputs: readonly PointsOutput[]): PointSink | undefined {
  if (outputs.length === 0) return undefined;
  if (outputs.length === 1) return outputs[0].sink;
  return (m, v, t, ts) => {
    for (const o of outputs) o.sink(m, v, t, ts);
  };
}
