import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PerfloopError } from '../../core/errors.js';
import type { CounterSink, GaugeSink, RateSink, Sink, TrendSink } from '../../core/metric.js';
import { groupTree, type GroupNode } from '../output/group-tree.js';
import type { LoadResult } from '../result.js';
import type { ScriptModule } from '../script/module.js';

/**
 * The data k6 hands to `handleSummary(data)` (https://grafana.com/docs/k6/latest/results-output/end-of-test/
 * custom-summary/): metrics with type, contains and values (trends with summaryTrendStats), thresholds as
 * `{ expr: { ok } }`, the group tree with checks (arrays, unlike the legacy export), options and state.
 */
const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

function trendStat(t: TrendSink, stat: string): number {
  if (stat === 'avg') return t.mean;
  if (stat === 'min') return t.min;
  if (stat === 'max') return t.max;
  if (stat === 'med') return t.percentile(50);
  if (stat === 'count') return t.count;
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  return p ? t.percentile(Number(p[1])) : NaN;
}

function values(sink: Sink, durationS: number, trendStats: string[]): Record<string, number> {
  switch (sink.type) {
    case 'counter': {
      const c = sink as CounterSink;
      return { count: c.sum, rate: durationS > 0 ? c.sum / durationS : 0 };
    }
    case 'gauge': {
      const g = sink as GaugeSink;
      const f = (x: number) => (Number.isFinite(x) ? x : 0);
      return { value: f(g.value), min: f(g.min), max: f(g.max) };
    }
    case 'rate': {
      const r = sink as RateSink;
      return { rate: r.rate, passes: r.passes, fails: r.total - r.passes };
    }
    case 'trend':
      return Object.fromEntries(trendStats.map((s) => [s, trendStat(sink as TrendSink, s)]));
  }
}

export function k6SummaryData(result: LoadResult, options: Record<string, unknown>) {
  const m = result.metrics;
  const trendStats = Array.isArray(options.summaryTrendStats)
    ? (options.summaryTrendStats as string[])
    : DEFAULT_TREND_STATS;
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const name of m.names()) {
    if (m.seriesOf(name).length === 0) continue;
    const def = m.def(name)!;
    metrics[name] = { type: def.type, contains: def.contains, values: values(m.aggregate(name)!, result.durationS, trendStats) };
  }
  for (const t of result.thresholds) {
    const key = t.def.metric.key;
    if (!metrics[key]) {
      const def = m.def(t.def.metric.name);
      const sink = m.aggregate(t.def.metric.name, t.def.metric.tags);
      if (!def || !sink) continue;
      metrics[key] = { type: def.type, contains: def.contains, values: values(sink, result.durationS, trendStats) };
    }
    ((metrics[key].thresholds ??= {}) as Record<string, { ok: boolean }>)[t.def.expression.source] = { ok: t.ok };
  }
  const arrays = (g: GroupNode): Record<string, unknown> => ({
    name: g.name,
    path: g.path,
    id: g.id,
    groups: g.groups.map(arrays),
    checks: g.checks,
  });
  return {
    root_group: arrays(groupTree(m)),
    options: {
      summaryTrendStats: trendStats,
      summaryTimeUnit: typeof options.summaryTimeUnit === 'string' ? options.summaryTimeUnit : '',
      noColor: !!process.env.NO_COLOR,
    },
    state: {
      isStdOutTTY: !!process.stdout.isTTY,
      isStdErrTTY: !!process.stderr.isTTY,
      testRunDurationMs: result.durationS * 1000,
    },
    metrics,
  };
}

/**
 * Calls the script's `handleSummary(data)` and writes what it returns: `stdout`/`stderr` printed, every
 * other key a file path (relative to the working directory, as in k6). Returns false when there is none.
 */
export async function runHandleSummary(
  mod: ScriptModule,
  result: LoadResult,
  options: Record<string, unknown>,
  io: { out(s: string): void; err(s: string): void },
): Promise<boolean> {
  const fn = mod.fn('handleSummary') as ((d: unknown) => unknown) | undefined;
  if (!fn) return false;
  let out: unknown;
  try {
    out = await fn(k6SummaryData(result, options));
  } catch (e) {
    throw new PerfloopError('LOAD_SCRIPT_FAILED', `handleSummary() failed: ${(e as Error)?.message ?? String(e)}`, {
      exitCode: 1,
    });
  }
  if (out === undefined || out === null) return true;
  if (typeof out !== 'object')
    throw new PerfloopError('LOAD_BAD_SCRIPT', 'handleSummary() must return an object of { stdout | stderr | path: content }');
  for (const [where, content] of Object.entries(out as Record<string, unknown>)) {
    const text = typeof content === 'string' ? content : content instanceof ArrayBuffer ? Buffer.from(content) : JSON.stringify(content);
    if (where === 'stdout') io.out(String(text));
    else if (where === 'stderr') io.err(String(text));
    else writeFileSync(resolve(where), text);
  }
  return true;
}
