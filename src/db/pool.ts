/**
 * Connection-pool saturation from the agent's pool gauges (pg.Pool: total, idle, waiting per sample) and the
 * run's arrival rate. A pool is saturated when requests wait for a connection. The size recommendation
 * starts from the PostgreSQL rule of thumb — connections = cores × 2 + effective spindles (the database
 * server's) — and is checked with Little's law: connections busy on average = query rate × mean query time.
 * If Little's law says the pool is big enough although requests wait, connections are held longer than the
 * queries take (transactions across awaits, leaks) and a bigger pool is not the fix.
 */
import { cpus } from 'node:os';
import { severityForPct, type Finding } from '../core/finding.js';

export interface PoolGauge {
  id: string;
  total: number;
  idle: number;
  waiting: number;
}

export interface PoolSaturationInput {
  /** Agent samples (AgentSample shape: `{ t, pools }`). */
  samples: readonly { t: number; pools: readonly PoolGauge[] }[];
  /** Requests per second the run delivered. */
  arrivalRate: number;
  /** Mean duration of a query (ms), from the run's captured queries. */
  meanQueryMs: number;
  /** Queries per request (captured queries / requests); default 1. */
  queriesPerRequest?: number;
  /** The pool's configured maximum; default: the most connections seen open. */
  poolMax?: number;
  /** Cores of the database server (default: this machine's). */
  dbCores?: number;
  /** Effective spindles of the database server's storage (default 1: SSD or a fully cached data set). */
  spindles?: number;
  /** Share (0–1) of samples with a waiting client that makes the pool saturated (default 0.05). */
  minWaitingShare?: number;
}

export interface PoolStats {
  id: string;
  samples: number;
  maxTotal: number;
  meanBusy: number;
  maxBusy: number;
  meanWaiting: number;
  maxWaiting: number;
  /** Share (0–1) of samples in which a client waited for a connection. */
  waitingShare: number;
  /** Mean busy connections / pool size. */
  utilization: number;
  /** Little's law: connections busy on average for the offered query load. */
  littleL: number;
  /** cores × 2 + effective spindles. */
  formulaSize: number;
  currentSize: number;
  recommendedSize: number;
  /** Why `recommendedSize`. */
  rationale: string;
}

export interface PoolAnalysis {
  pools: PoolStats[];
  findings: Finding[];
}

export function analysePools(input: PoolSaturationInput): PoolAnalysis {
  const byPool = new Map<string, PoolGauge[]>();
  for (const s of input.samples)
    for (const p of s.pools) (byPool.get(p.id) ?? byPool.set(p.id, []).get(p.id)!).push(p);
  const cores = input.dbCores ?? cpus().length;
  const spindles = input.spindles ?? 1;
  const formulaSize = cores * 2 + spindles;
  const qps = input.arrivalRate * (input.queriesPerRequest ?? 1);
  const littleL = (qps * input.meanQueryMs) / 1000;
  const minShare = input.minWaitingShare ?? 0.05;
  const pools: PoolStats[] = [];
  const findings: Finding[] = [];
  for (const [id, gauges] of byPool) {
    const busy = gauges.map((g) => g.total - g.idle);
    const maxTotal = Math.max(...gauges.map((g) => g.total));
    const currentSize = input.poolMax ?? maxTotal;
    const waitingSamples = gauges.filter((g) => g.waiting > 0).length;
    const stats: PoolStats = {
      id,
      samples: gauges.length,
      maxTotal,
      meanBusy: r2(mean(busy)),
      maxBusy: Math.max(...busy),
      meanWaiting: r2(mean(gauges.map((g) => g.waiting))),
      maxWaiting: Math.max(...gauges.map((g) => g.waiting)),
      waitingShare: r3(waitingSamples / gauges.length),
      utilization: currentSize > 0 ? r3(mean(busy) / currentSize) : 0,
      littleL: r2(littleL),
      formulaSize,
      currentSize,
      recommendedSize: currentSize,
      rationale: '',
    };
    sizeRecommendation(stats);
    pools.push(stats);
    if (stats.waitingShare >= minShare && waitingSamples >= 2)
      findings.push(toFinding(stats, qps, input.meanQueryMs, cores, spindles));
  }
  return { pools, findings };
}

function sizeRecommendation(s: PoolStats): void {
  const needed = Math.ceil(s.littleL * 1.25); // 25 % headroom over the mean for bursts
  if (s.littleL >= s.currentSize * 0.8) {
    if (needed > s.formulaSize) {
      s.recommendedSize = Math.max(s.currentSize, s.formulaSize);
      s.rationale = `the offered load needs ~${s.littleL} busy connections (Little's law) — more than the database can run efficiently (cores × 2 + spindles = ${s.formulaSize}): cut query time or queries per request instead of adding connections`;
    } else {
      s.recommendedSize = Math.max(s.currentSize + 1, needed);
      s.rationale = `the offered load keeps ~${s.littleL} connections busy on average (Little's law: query rate × mean query time); ${s.recommendedSize} leaves 25% headroom and stays within cores × 2 + spindles = ${s.formulaSize}`;
    }
  } else {
    s.recommendedSize = s.currentSize;
    s.rationale = `Little's law needs only ~${s.littleL} busy connections but ${s.meanBusy} are busy on average: connections are held longer than the queries take (a transaction across awaits, a slow consumer, a leak) — shorten the hold time rather than growing the pool`;
  }
}

function toFinding(s: PoolStats, qps: number, meanQueryMs: number, cores: number, spindles: number): Finding {
  const pct = Math.round(s.waitingShare * 1000) / 10;
  return {
    rule: 'db.pool-saturation',
    area: 'db',
    severity: severityForPct(pct),
    title: `Connection pool ${s.id} saturated: requests waited for a connection in ${pct}% of samples (up to ${s.maxWaiting} waiting, ${s.maxBusy}/${s.currentSize} busy)`,
    evidence: {
      pool: s.id,
      samples: s.samples,
      waitingShare: s.waitingShare,
      maxWaiting: s.maxWaiting,
      meanWaiting: s.meanWaiting,
      meanBusy: s.meanBusy,
      maxBusy: s.maxBusy,
      currentSize: s.currentSize,
      utilization: s.utilization,
      queryRate: r2(qps),
      meanQueryMs: r2(meanQueryMs),
      littleL: s.littleL,
      formula: { cores, spindles, size: s.formulaSize },
      recommendedSize: s.recommendedSize,
      symptom: 'database connection exhaustion',
    },
    recommendation:
      s.recommendedSize !== s.currentSize
        ? `Pool size ${s.currentSize} → ${s.recommendedSize}: ${s.rationale}.`
        : `Keep the pool at ${s.currentSize}: ${s.rationale}.`,
    estimatedImpact: {
      pct,
      basis: 'share of the run during which requests queued for a database connection',
    },
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
