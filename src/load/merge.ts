import { readFileSync } from 'node:fs';
import { PerfloopError } from '../core/errors.js';
import { MetricSet, type MetricSetJSON } from '../core/metric-set.js';
import type { GaugeSink, MetricType } from '../core/metric.js';
import type { IntervalRecord } from '../core/run.js';
import type { ArrivalStats } from './executors/types.js';
import { IntervalMerger } from './intervals.js';
import { defineBuiltinMetrics } from './recorder.js';
import { LOAD_SCHEMA, LoadResult } from './result.js';
import type { GeneratorHealth } from './runner.js';
import { badOptions } from './options.js';
import { evaluateThresholds, parseThresholds, withThresholdFlags } from './thresholds/thresholds.js';

/** The parts of a perfloop/load@1 document a merge needs. */
interface LoadDoc {
  schema: string;
  startedAt: string;
  durationS: number;
  interrupted: boolean;
  segment: string | null;
  metricSet: MetricSetJSON;
  intervals: IntervalRecord[];
  endpoints: { name: string }[];
  thresholdsConfig?: Record<string, string[]>;
  arrivals?: ArrivalStats[];
  generator?: (GeneratorHealth & { workers: number }) | null;
  warnings?: string[];
}

export function mergeArrivals(all: readonly ArrivalStats[]): ArrivalStats[] {
  const by = new Map<string, ArrivalStats>();
  for (const a of all) {
    const m = by.get(a.scenario);
    if (!m) by.set(a.scenario, { ...a });
    else
      Object.assign(m, {
        scheduled: m.scheduled + a.scheduled,
        started: m.started + a.started,
        late: m.late + a.late,
        dropped: m.dropped + a.dropped,
      });
  }
  return [...by.values()];
}

export function readLoadDoc(path: string): LoadDoc {
  let doc: LoadDoc;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as LoadDoc;
  } catch (e) {
    throw new PerfloopError('MERGE_BAD_INPUT', `cannot read ${path}: ${(e as Error).message}`);
  }
  if (doc?.schema !== LOAD_SCHEMA || !doc.metricSet || !Array.isArray(doc.intervals)) {
    throw new PerfloopError(
      'MERGE_BAD_INPUT',
      `${path} is not a ${LOAD_SCHEMA} result (write one with perfloop load --result FILE)`,
    );
  }
  return doc;
}

/** Which segments the parts cover, and a warning when they are not one whole test. */
function coverageWarning(docs: readonly LoadDoc[]): string | null {
  const segs = docs.map((d) => d.segment);
  if (segs.every((s) => s === null)) return null;
  const parsed = segs.map((s) => (s ? s.split('/').map(Number) : [1, 1]));
  const n = parsed[0][1];
  const have = new Set(parsed.map(([i, m]) => (m === n ? i : -1)));
  const complete = parsed.every(([, m]) => m === n) && have.size === n && parsed.length === n;
  return complete
    ? null
    : `The merged parts are segments ${segs.map((s) => s ?? 'whole').join(', ')}: not exactly the n segments of one test, so counts cover part of it (or overlap).`;
}

/**
 * Merges results of parallel generators (`--segment i/n` processes, other machines): histograms and counters
 * exactly, intervals aligned by wall clock, VUs added up; thresholds evaluated over the whole (the union of
 * the parts' thresholds plus `extraThresholds`) — globally, which k6 cannot do across instances.
 */
export function mergeLoadResults(
  docs: readonly LoadDoc[],
  extraThresholds: readonly string[] = [],
): LoadResult {
  if (docs.length === 0) throw new PerfloopError('USAGE', 'perfloop merge: give at least one result file');
  const metrics = new MetricSet();
  defineBuiltinMetrics(metrics);
  const starts = docs.map((d) => Date.parse(d.startedAt));
  const t0 = Math.min(...starts);
  const merger = new IntervalMerger();
  let vusMax = 0;
  const config: Record<string, string[]> = {};
  for (const [i, d] of docs.entries()) {
    const part = MetricSet.fromJSON(d.metricSet);
    vusMax += Math.max(0, (part.aggregate('vus_max') as GaugeSink | undefined)?.max ?? 0);
    metrics.merge(part);
    merger.add(d.intervals, Math.round((starts[i] - t0) / 1000));
    for (const [k, exprs] of Object.entries(d.thresholdsConfig ?? {}))
      config[k] = [...new Set([...(config[k] ?? []), ...exprs])];
  }
  const g = metrics.sink('vus_max') as GaugeSink;
  Object.assign(g, { value: vusMax, max: vusMax, min: Math.min(g.min, vusMax) });
  const durationS = Math.max(...docs.map((d, i) => (starts[i] - t0) / 1000 + d.durationS));
  const typeOf = (name: string): MetricType | undefined => metrics.def(name)?.type;
  const th = parseThresholds(withThresholdFlags(config, extraThresholds), typeOf);
  if (th.errors.length > 0) throw badOptions(th.errors);
  const gens = docs.map((d) => d.generator).filter((x): x is GeneratorHealth & { workers: number } => !!x);
  const warnings = [...new Set(docs.flatMap((d) => d.warnings ?? []))];
  const coverage = coverageWarning(docs);
  if (coverage) warnings.unshift(coverage);
  const names = [...new Set(docs.flatMap((d) => d.endpoints.map((e) => e.name)))];
  const merged: Record<string, string[]> = {};
  for (const d of th.defs) (merged[d.metric.key] ??= []).push(d.expression.source);
  return new LoadResult(
    new Date(t0),
    durationS,
    metrics,
    merger.list(),
    names,
    docs.some((d) => d.interrupted),
    {
      thresholds: evaluateThresholds(th.defs, metrics, durationS),
      thresholdsConfig: merged,
      arrivals: mergeArrivals(docs.flatMap((d) => d.arrivals ?? [])),
      generator:
        gens.length > 0
          ? {
              eventLoopLagP99Ms: Math.max(...gens.map((x) => x.eventLoopLagP99Ms)),
              eventLoopLagMaxMs: Math.max(...gens.map((x) => x.eventLoopLagMaxMs)),
              utilization: Math.max(...gens.map((x) => x.utilization)),
              workers: gens.reduce((a, x) => a + x.workers, 0),
            }
          : undefined,
      warnings,
      segment: null,
    },
  );
}
