import { severityForPct, type Finding } from '../core/finding.js';
import { theilSen, type SlopeEstimate } from './theil-sen.js';

export interface MemoryPoint {
  /** Epoch ms. */
  t: number;
  /** Bytes. */
  value: number;
}

export interface MemoryTrend extends SlopeEstimate {
  /** The slope over the second half of the window (MB/min, with its 95 % interval): does it still grow? */
  lateMbPerMin: number | null;
  lateLoMbPerMin: number | null;
  /** Slope and bounds in MB per minute. */
  mbPerMin: number;
  loMbPerMin: number;
  hiMbPerMin: number;
  startMb: number;
  endMb: number;
  /** Seconds of samples used (after warm-up). */
  windowS: number;
}

const MB = 1024 * 1024;

/** Drops the warm-up (the first `warmupFraction` of the window, at least `minWarmupMs`) and fits a robust slope. */
export function memoryTrend(
  points: readonly MemoryPoint[],
  options: { warmupFraction?: number; minWarmupMs?: number } = {},
): MemoryTrend | undefined {
  if (points.length < 5) return undefined;
  const t0 = points[0].t;
  const span = points[points.length - 1].t - t0;
  const warm = Math.max(options.minWarmupMs ?? 2000, span * (options.warmupFraction ?? 0.2));
  const kept = points.filter((p) => p.t - t0 >= warm);
  const use = kept.length >= 5 ? kept : points;
  const est = theilSen(
    use.map((p) => (p.t - use[0].t) / 60_000),
    use.map((p) => p.value / MB),
  );
  if (!est) return undefined;
  const r = (x: number) => Math.round(x * 100) / 100;
  const late = use.slice(Math.floor(use.length / 2));
  const lateEst =
    late.length >= 3
      ? theilSen(
          late.map((p) => (p.t - late[0].t) / 60_000),
          late.map((p) => p.value / MB),
        )
      : undefined;
  return {
    ...est,
    mbPerMin: r(est.slope),
    lateMbPerMin: lateEst ? r(lateEst.slope) : null,
    lateLoMbPerMin: lateEst ? r(lateEst.lo) : null,
    loMbPerMin: r(est.lo),
    hiMbPerMin: r(est.hi),
    startMb: r(use[0].value / MB),
    endMb: r(use[use.length - 1].value / MB),
    windowS: Math.round((use[use.length - 1].t - use[0].t) / 1000),
  };
}

export interface GrowthOptions {
  /** Which series: 'heap used' (from the agent) or 'RSS' (from /proc). */
  series: string;
  /** Memory limit in MB, to project the time to reach it. */
  limitMb?: number;
  /** Slopes below this are noise (default 1 MB/min). */
  minMbPerMin?: number;
  /** Shorter windows get no verdict (default 8 s). */
  minWindowS?: number;
}

/** A slope whose 95 % lower bound is below estimate / this is too uncertain to rate above low. */
const UNCERTAIN_RATIO = 4;
/** Growth of less than this (MB) between start and end is GC noise whatever its share: the absolute floor. */
const MIN_GROWTH_MB = 2;
/**
 * Below this window (s) a rate per minute is an extrapolation and a bounded cache still filling looks like a
 * leak: the finding states the growth as measured and stays `medium` at most.
 */
const CONCLUSIVE_WINDOW_S = 30;

/**
 * `memory.growth`: memory keeps rising through the run — the lower bound of the slope's 95 % interval is
 * above zero and the slope is material.
 */
export function findMemoryGrowth(trend: MemoryTrend | undefined, options: GrowthOptions): Finding[] {
  // A few seconds of a freshly started process mostly show warm-up (JIT, caches): no verdict on that.
  if (!trend || trend.windowS < (options.minWindowS ?? 8)) return [];
  const min = options.minMbPerMin ?? 1;
  const grewPct = trend.startMb > 0 ? (100 * (trend.endMb - trend.startMb)) / trend.startMb : 0;
  const grewMb = Math.round((trend.endMb - trend.startMb) * 10) / 10;
  if (trend.loMbPerMin <= 0 || trend.mbPerMin < min || grewPct < 5 || grewMb < MIN_GROWTH_MB) return [];
  // Grew, then stopped: a cache filling to its bound or a warm-up, not a leak (the late half no longer rises).
  if (trend.lateLoMbPerMin !== null && trend.lateLoMbPerMin <= 0) return [];
  const limit = options.limitMb;
  const minutesToLimit =
    limit && trend.mbPerMin > 0 ? Math.max(0, (limit - trend.endMb) / trend.mbPerMin) : null;
  const pct = Math.min(100, Math.round(grewPct));
  // Above zero but far below the estimate (a handful of noisy points): growth is likely, its rate is not
  // known. Reported, but low — it does not fail a gate or rank as a bottleneck; a longer run decides.
  const uncertain = trend.loMbPerMin < trend.mbPerMin / UNCERTAIN_RATIO;
  const short = trend.windowS < CONCLUSIVE_WINDOW_S;
  let severity = uncertain
    ? 'low'
    : minutesToLimit !== null && minutesToLimit < 60
      ? 'critical'
      : severityForPct(Math.min(60, pct));
  if (short && (severity === 'critical' || severity === 'high')) severity = 'medium';
  const ci = `95% CI ${trend.loMbPerMin}–${trend.hiMbPerMin}`;
  const measured = `+${grewMb} MB over ${trend.windowS} s (${trend.startMb} → ${trend.endMb} MB)`;
  return [
    {
      rule: 'memory.growth',
      area: 'memory',
      severity,
      title: short
        ? `${options.series} grew ${measured}; not yet known whether it is bounded — run longer`
        : uncertain
          ? `${options.series} may grow ${trend.mbPerMin} MB/min, too uncertain to call (${ci}) over ${trend.windowS} s: run longer`
          : `${options.series} grows ${trend.mbPerMin} MB/min (${ci}) over ${trend.windowS} s`,
      evidence: {
        series: options.series,
        mbPerMin: trend.mbPerMin,
        ci95: [trend.loMbPerMin, trend.hiMbPerMin],
        startMb: trend.startMb,
        endMb: trend.endMb,
        windowS: trend.windowS,
        grewMb,
        samples: trend.n,
        limitMb: limit ?? null,
        minutesToLimit: minutesToLimit === null ? null : Math.round(minutesToLimit),
      },
      recommendation:
        'Memory rises steadily under load: look for a cache without eviction, global collections that only grow, listeners or timers never removed, closures holding request data. Compare heap snapshots (`perfloop heap diff`) to name the growing objects and their retainers.',
      estimatedImpact: {
        pct,
        basis: `growth of ${options.series} over the measured window, relative to its start`,
      },
    },
  ];
}
