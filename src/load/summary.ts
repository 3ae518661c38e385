import { groupTree, type GroupNode } from './output/group-tree.js';
import type { CounterSink, GaugeSink, RateSink, Sink, TrendSink } from '../core/metric.js';
import type { LoadResult } from './result.js';
import { BUILTIN_METRICS } from './recorder.js';
import { methodLabel } from './thresholds/expression.js';

/** k6's duration format: 812µs, 12.34ms, 1.2s, 1m3s; below the histogram's 1 µs resolution, 0s. */
export function fmtTime(ms: number): string {
  if (ms < 0.0015) return '0s';
  if (ms < 1) return `${+(ms * 1000).toFixed(2)}µs`;
  if (ms < 1000) return `${+ms.toFixed(2)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${Math.round((ms - m * 60_000) / 1000)}s`;
}

export function fmtData(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(v) : +v.toFixed(1)} ${units[u]}`;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const rate = (x: number) => `${+x.toFixed(2)}/s`;

function trendLine(t: TrendSink, time: boolean): string {
  const f = (ms: number) => (time ? fmtTime(ms) : String(+ms.toFixed(3)));
  return `avg=${f(t.mean)} min=${f(t.min)} med=${f(t.percentile(50))} max=${f(t.max)} p(90)=${f(t.percentile(90))} p(95)=${f(t.percentile(95))} p(99)=${f(t.percentile(99))}`;
}

const GROUPS: [string, string[]][] = [
  [
    'HTTP',
    [
      'http_req_duration',
      'http_req_duration_uncorrected',
      'http_req_blocked',
      'http_req_connecting',
      'http_req_sending',
      'http_req_waiting',
      'http_req_receiving',
      'http_req_failed',
      'http_reqs',
    ],
  ],
  [
    'EXECUTION',
    [
      'dropped_iterations',
      'late_iterations',
      'group_duration',
      'iteration_duration',
      'iterations',
      'vus',
      'vus_max',
    ],
  ],
  ['NETWORK', ['data_received', 'data_sent']],
];

/**
 * The end-of-test summary in k6's spirit: thresholds ✓/✗ first, then checks, then metric groups with
 * avg/min/med/max/p(90)/p(95)/p(99); then perfloop's extras (target vs achieved rate, generator health).
 */
export function formatSummary(result: LoadResult, o: { color?: boolean } = {}): string {
  const green = (s: string) => (o.color ? `\x1b[32m${s}\x1b[0m` : s);
  const red = (s: string) => (o.color ? `\x1b[31m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const m = result.metrics;
  const d = result.durationS || 1;
  const row = (name: string, value: string, indent = 4) => {
    const label = `${' '.repeat(indent)}${name}`;
    lines.push(`${label}${'.'.repeat(Math.max(3, 40 - label.length))}: ${value}`);
  };
  const describe = (name: string, sink: Sink): string => {
    const time = m.def(name)?.contains === 'time';
    switch (sink.type) {
      case 'trend':
        return trendLine(sink as TrendSink, time);
      case 'counter': {
        const c = (sink as CounterSink).sum;
        return m.def(name)?.contains === 'data' ? `${fmtData(c)} ${fmtData(c / d)}/s` : `${c} ${rate(c / d)}`;
      }
      case 'rate': {
        const r = sink as RateSink;
        return `${pct(r.rate)} ${r.passes} out of ${r.total}`;
      }
      case 'gauge': {
        const g = sink as GaugeSink;
        const f = (x: number) => (Number.isFinite(x) ? x : 0);
        return name === 'vus_max' ? `${f(g.max)}` : `${f(g.value)} min=${f(g.min)} max=${f(g.max)}`;
      }
    }
  };

  if (result.thresholds.length > 0 || result.extras.preset) {
    lines.push('  █ THRESHOLDS', '');
    const byMetric = new Map<string, typeof result.thresholds>();
    for (const t of result.thresholds)
      byMetric.set(t.def.metric.key, [...(byMetric.get(t.def.metric.key) ?? []), t]);
    for (const [key, ts] of byMetric) {
      lines.push(`    ${key}`);
      for (const t of ts) {
        const time = m.def(t.def.metric.name)?.contains === 'time';
        const v =
          t.def.expression.method === 'rate' && m.def(t.def.metric.name)?.type === 'rate'
            ? pct(t.value)
            : time
              ? fmtTime(t.value)
              : String(+t.value.toFixed(3));
        lines.push(
          `    ${t.ok ? green('✓') : red('✗')} '${t.def.expression.source}' ${methodLabel(t.def.expression)}=${v}`,
        );
      }
      lines.push('');
    }
    const preset = result.extras.preset;
    if (preset) {
      lines.push(`    preset ${preset.name}${preset.scale !== 1 ? ` (scale ${preset.scale})` : ''}`);
      for (const c of preset.criteria)
        lines.push(`    ${c.ok ? green('✓') : red('✗')} ${c.name}: ${c.detail}`);
      lines.push('');
    }
  }

  lines.push('  █ TOTAL RESULTS', '');
  const checks = result.checks();
  if (checks.length > 0) {
    const passes = checks.reduce((a, c) => a + c.passes, 0);
    const total = checks.reduce((a, c) => a + c.passes + c.fails, 0);
    row('checks_total', `${total} ${rate(total / d)}`);
    row('checks_succeeded', `${pct(total ? passes / total : 0)} ${passes} out of ${total}`);
    row('checks_failed', `${pct(total ? (total - passes) / total : 0)} ${total - passes} out of ${total}`);
    lines.push('');
    // As k6 prints them: the root's checks, then each group (█ name) with its checks, indented by depth.
    const printGroup = (g: GroupNode, depth: number) => {
      const pad = '    ' + '  '.repeat(depth);
      if (depth > 0) lines.push(`${pad.slice(2)}█ ${g.name}`, '');
      for (const c of g.checks)
        lines.push(
          `${pad}${c.fails === 0 ? green('✓') : red('✗')} ${c.name}${c.fails > 0 ? `\n${pad}  ↳  ${pct(c.passes / (c.passes + c.fails))} — ✓ ${c.passes} / ✗ ${c.fails}` : ''}`,
        );
      if (g.checks.length > 0 && depth > 0) lines.push('');
      for (const child of g.groups) printGroup(child, depth + 1);
    };
    printGroup(groupTree(m), 0);
    lines.push('');
  }
  const custom = m.names().filter((n) => !BUILTIN_METRICS.includes(n));
  for (const [title, names] of [...GROUPS, ['CUSTOM', custom] as [string, string[]]]) {
    const present = names.filter(
      (n) => m.has(n) && m.seriesOf(n).length > 0 && !(n === 'group_duration' && m.seriesOf(n).length === 0),
    );
    if (present.length === 0) continue;
    lines.push(`    ${title}`);
    for (const n of present) {
      if (
        (n === 'dropped_iterations' || n === 'late_iterations') &&
        (m.aggregate(n) as CounterSink).sum === 0
      )
        continue;
      row(n, describe(n, m.aggregate(n)!));
      if (n === 'http_req_duration') {
        const ok = m.aggregate(n, { expected_response: 'true' }) as TrendSink;
        if (ok.count > 0 && ok.count !== (m.aggregate(n) as TrendSink).count)
          row('{ expected_response:true }', describe(n, ok), 6);
      }
    }
    lines.push('');
  }
  // Sub-metrics named in thresholds, as k6 lists them.
  for (const t of new Map(
    result.thresholds
      .filter((t) => Object.keys(t.def.metric.tags).length > 0)
      .map((t) => [t.def.metric.key, t]),
  ).values()) {
    const sink = m.aggregate(t.def.metric.name, t.def.metric.tags);
    if (sink) row(t.def.metric.key, describe(t.def.metric.name, sink));
  }

  const ri = result.rateInfo;
  const arrivals = result.extras.arrivals ?? [];
  if (ri.target !== null) {
    const late = arrivals.reduce((a, x) => a + x.late, 0);
    const dropped = arrivals.reduce((a, x) => a + x.dropped, 0);
    lines.push(
      `    RATE        target ${rate(ri.target)}  achieved ${rate(ri.achieved)}  late ${late}  dropped ${dropped}`,
    );
    const u = result.uncorrectedLatency();
    const c = result.latency();
    if (c.count > 0)
      lines.push(
        `    LATENCY     p99 ${fmtTime(c.percentile(99) / 1000)} from intended send (uncorrected ${fmtTime(u.percentile(99) / 1000)})`,
      );
  }
  const g = result.extras.generator;
  if (g)
    lines.push(
      `    GENERATOR   ${g.workers} thread${g.workers > 1 ? 's' : ''}, event-loop lag p99 ${g.eventLoopLagP99Ms} ms, busy ${Math.round(g.utilization * 100)}%`,
    );
  if (result.extras.segment)
    lines.push(`    SEGMENT     ${result.extras.segment} (merge the parts with perfloop merge)`);
  if (result.extras.preset?.recoveryTimeS !== undefined) {
    const r = result.extras.preset.recoveryTimeS;
    lines.push(
      `    RECOVERY    ${r === null ? 'not recovered before the end of the run' : `${r}s after the spike`}`,
    );
  }
  if (result.extras.preset?.latencyDriftPct !== undefined && result.extras.preset.latencyDriftPct !== null) {
    lines.push(
      `    DRIFT       p95 ${result.extras.preset.latencyDriftPct > 0 ? '+' : ''}${result.extras.preset.latencyDriftPct}% from the first to the last tenth of the run`,
    );
  }
  for (const w of result.extras.warnings ?? []) lines.push(`    ⚠ ${w}`);
  const it = (m.aggregate('iterations') as CounterSink | undefined)?.sum ?? 0;
  lines.push(
    '',
    `  ${result.interrupted ? 'interrupted' : 'finished'} after ${fmtTime(result.durationS * 1000)}: ${it} iterations, ${result.requests} requests`,
  );
  return `${lines.join('\n')}\n`;
}
