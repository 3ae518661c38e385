import { severityForPct, type Finding } from '../core/finding.js';
import { theilSen } from './theil-sen.js';

/** The agent's per-interval GC counters (AgentSample.gc with its timestamp). */
export interface GcSample {
  /** Epoch ms. */
  t: number;
  gc: { count: number; pauseMs: number; maxPauseMs: number };
}

export interface GcPauseTrend {
  /** Mean pause per collection, first and last third of the run (after warm-up), ms. */
  earlyMeanPauseMs: number;
  lateMeanPauseMs: number;
  /** Share of wall time spent in GC pauses, first and last third, %. */
  earlyGcPct: number;
  lateGcPct: number;
  maxPauseMs: number;
  /** Robust slope of the mean pause per collection, ms per minute, with its 95 % interval. */
  msPerMin: number;
  ci95: [number, number];
  windowS: number;
  collections: number;
}

export interface GcPauseOptions {
  warmupFraction?: number;
  minWarmupMs?: number;
  /** Pause length to project the time to (default 100 ms: a visible latency spike). */
  pauseLimitMs?: number;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** GC pauses over the run: early vs late, and their trend. Undefined with too few collections to tell. */
export function gcPauseTrend(samples: readonly GcSample[], options: GcPauseOptions = {}): GcPauseTrend | undefined {
  if (samples.length < 6) return undefined;
  const t0 = samples[0].t;
  const span = samples[samples.length - 1].t - t0;
  const warm = Math.max(options.minWarmupMs ?? 2000, span * (options.warmupFraction ?? 0.2));
  const kept = samples.filter((s) => s.t - t0 >= warm);
  const use = kept.length >= 6 ? kept : samples;
  const third = Math.max(1, Math.floor(use.length / 3));
  const stats = (part: readonly GcSample[], prevT: number) => {
    let count = 0;
    let pause = 0;
    let max = 0;
    for (const s of part) {
      count += s.gc.count;
      pause += s.gc.pauseMs;
      max = Math.max(max, s.gc.maxPauseMs);
    }
    const wall = Math.max(1, part[part.length - 1].t - prevT);
    return { mean: count > 0 ? pause / count : 0, pct: (100 * pause) / wall, count, max };
  };
  const early = stats(use.slice(0, third), use[0].t - (use[1].t - use[0].t));
  const lateStart = use.length - third;
  const late = stats(use.slice(lateStart), use[lateStart - 1]?.t ?? use[0].t);
  const points = use.filter((s) => s.gc.count > 0);
  const est = points.length >= 3 ? theilSen(points.map((s) => (s.t - use[0].t) / 60_000), points.map((s) => s.gc.pauseMs / s.gc.count)) : undefined;
  const collections = use.reduce((a, s) => a + s.gc.count, 0);
  if (collections < 3) return undefined;
  return {
    earlyMeanPauseMs: r2(early.mean),
    lateMeanPauseMs: r2(late.mean),
    earlyGcPct: r2(early.pct),
    lateGcPct: r2(late.pct),
    maxPauseMs: r2(Math.max(...use.map((s) => s.gc.maxPauseMs))),
    msPerMin: r2(est?.slope ?? 0),
    ci95: [r2(est?.lo ?? 0), r2(est?.hi ?? 0)],
    windowS: Math.round((use[use.length - 1].t - use[0].t) / 1000),
    collections,
  };
}

/** Thresholds: pauses this much longer late than early, or GC eating this share of wall time, are a finding. */
const MIN_PAUSE_GROWTH = 1.5;
const MIN_LATE_PAUSE_MS = 2;
const MIN_GC_PCT = 10;

/**
 * `memory.gc-pause`: GC pauses grow over the run (a growing heap makes every major GC longer: the "GC pauses
 * increasing" symptom of a leak), or collections take a material share of wall time. Evidence carries both
 * thirds, the slope with its interval and, when pauses grow, the projected time until a single pause reaches
 * `pauseLimitMs`.
 */
export function findGcPauseGrowth(samples: readonly GcSample[], options: GcPauseOptions = {}): Finding[] {
  const tr = gcPauseTrend(samples, options);
  if (!tr) return [];
  const growing = tr.ci95[0] > 0 && tr.lateMeanPauseMs >= MIN_PAUSE_GROWTH * tr.earlyMeanPauseMs && tr.lateMeanPauseMs >= MIN_LATE_PAUSE_MS;
  const heavy = tr.lateGcPct >= MIN_GC_PCT;
  if (!growing && !heavy) return [];
  const limit = options.pauseLimitMs ?? 100;
  const minutesToLimit = growing && tr.msPerMin > 0 ? Math.max(0, Math.round((limit - tr.maxPauseMs) / tr.msPerMin)) : null;
  const pct = Math.min(100, Math.round(tr.lateGcPct));
  const title = growing
    ? `GC pauses grow: ${tr.earlyMeanPauseMs} → ${tr.lateMeanPauseMs} ms per collection (+${tr.msPerMin} ms/min), ${tr.lateGcPct}% of time in GC at the end`
    : `GC takes ${tr.lateGcPct}% of wall time (${tr.lateMeanPauseMs} ms per collection, max ${tr.maxPauseMs} ms)`;
  let severity = severityForPct(pct);
  if (growing && (severity === 'info' || severity === 'low')) severity = 'medium';
  return [
    {
      rule: 'memory.gc-pause',
      area: 'memory',
      severity,
      title,
      evidence: { ...tr, pauseLimitMs: limit, minutesToLimit },
      recommendation: growing
        ? 'GC pauses increasing is a leak symptom: the live heap grows, so every major collection has more to mark. Find what grows (memory.growth, `perfloop heap diff` of snapshots taken during the run) and bound it.'
        : 'Allocation pressure: the service spends a material share of its time collecting garbage. Allocate less per request (reuse buffers, avoid intermediate arrays and string concatenation in hot paths, stream large payloads) — the allocation flame graph shows where.',
      estimatedImpact: { pct, basis: 'share of wall time spent in GC pauses in the last third of the run' },
    },
  ];
}
