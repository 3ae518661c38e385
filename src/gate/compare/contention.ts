import type { RunRecord } from '../../core/run.js';
import type { ComparisonRow } from './compare-runs.js';

/**
 * Host contention: the CPU that processes other than the target and the load generator used during the
 * measured window (from /proc/stat), in % of one core. A service on a shared machine slows down when its
 * neighbours get busy, so a difference between the two sides can be the neighbours, not the change.
 */
export const CONTENTION_DIFF_PCT = 20;

function sideContention(runs: readonly RunRecord[]): { otherCpuPct: number; stealPct: number } | null {
  const known = runs.filter((r) => r.host);
  if (known.length === 0) return null;
  const mean = (f: (r: RunRecord) => number) => known.reduce((s, r) => s + f(r), 0) / known.length;
  return {
    otherCpuPct: Math.round(mean((r) => r.host!.otherCpuPct + r.host!.stealPct) * 10) / 10,
    stealPct: Math.round(mean((r) => r.host!.stealPct) * 10) / 10,
  };
}

/** Other processes' CPU on each side, when the two differ by enough to matter (else null). */
export function contentionDifference(
  before: readonly RunRecord[],
  after: readonly RunRecord[],
): { before: number; after: number } | null {
  const b = sideContention(before);
  const a = sideContention(after);
  if (!b || !a || Math.abs(a.otherCpuPct - b.otherCpuPct) < CONTENTION_DIFF_PCT) return null;
  return { before: b.otherCpuPct, after: a.otherCpuPct };
}

export function contentionWarnings(before: readonly RunRecord[], after: readonly RunRecord[]): string[] {
  const saturated = saturation([...before, ...after]);
  if (saturated) return [`Every verdict is unknown: ${saturated}. Rerun on a quieter machine.`];
  if (!contentionDifference(before, after)) return [];
  const b = sideContention(before)!;
  const a = sideContention(after)!;
  return [
    `The host was busier during the ${a.otherCpuPct > b.otherCpuPct ? 'after' : 'before'} runs: other processes used ${b.otherCpuPct} % → ${a.otherCpuPct} % of a core (steal ${b.stealPct} → ${a.stealPct} %). Verdicts that this could explain are unknown; rerun on a quieter machine.`,
  ];
}

/**
 * Less than half a core left for the target and the generator: other processes used at least (cores − ½) of
 * the machine. Then the scheduler decides what the service gets from one second to the next, on both sides
 * alike — an A/A pair of json-server runs at load average 19 on 2 cores came out "CPU +43 %, p 0.008". Every
 * verdict becomes unknown with the reason.
 */
const FREE_CORES_NEEDED = 0.5;

function saturation(runs: readonly RunRecord[]): string | null {
  for (const r of runs) {
    if (!r.host) continue;
    const cores = r.run.machine?.cores ?? 0;
    const used = (r.host.otherCpuPct + r.host.stealPct) / 100;
    if (cores > 0 && used >= cores - FREE_CORES_NEEDED)
      return `the host was saturated during run ${r.run.label || r.run.id}: other processes used ${r.host.otherCpuPct} % of a core on ${cores} cores`;
  }
  return null;
}

/**
 * A significant change in the direction the contention difference would push it (worse on the busier side)
 * becomes `unknown`, with the reason: the evidence cannot tell the change from the neighbours. A change
 * against that direction stands (a side that got better despite busier neighbours did get better).
 */
export function contentionAdjusted(
  rows: ComparisonRow[],
  before: readonly RunRecord[],
  after: readonly RunRecord[],
): ComparisonRow[] {
  const saturated = saturation([...before, ...after]);
  if (saturated) return rows.map((r) => (r.verdict === 'improved' || r.verdict === 'regressed' ? { ...r, verdict: 'unknown' as const, moreRuns: null, note: `${r.verdict} by the statistics, but ${saturated}` } : r));
  const b = sideContention(before);
  const a = sideContention(after);
  if (!b || !a) return rows;
  const diff = a.otherCpuPct - b.otherCpuPct;
  if (Math.abs(diff) < CONTENTION_DIFF_PCT) return rows;
  const afterBusier = diff > 0;
  return rows.map((r) => {
    if (r.verdict !== 'improved' && r.verdict !== 'regressed') return r;
    // Busier after → things look worse after: a regression there is what contention would cause.
    const explainable = afterBusier ? r.verdict === 'regressed' : r.verdict === 'improved';
    if (!explainable) return r;
    return {
      ...r,
      verdict: 'unknown' as const,
      moreRuns: null,
      note: `${r.verdict} by the statistics, but other processes on the host used ${b.otherCpuPct} % → ${a.otherCpuPct} % of a core: the contention difference could explain it`,
    };
  });
}
