/**
 * Memory findings from a runtime's own evidence over the measured window: what grew by allocating function (Go heap
 * profiles), by class (JVM class histograms) or by allocating line (Python's tracemalloc) — the same `memory.growth` id as for Node's heap — goroutines that
 * keep accumulating (`go.goroutine-growth`) and JVM garbage collection taking a real share of the time
 * (`jvm.gc-pressure`).
 */
import type { Finding, Severity } from '../../core/finding.js';
import type { GrowthRow, RuntimeMemoryEvidence } from '../../profile/capture/runtime-capture.js';

/** Growth below this is noise of a short window (allocator caches, JIT metadata, buffers). */
const MIN_GROWTH_BYTES = 2 * 1024 * 1024;
/** A row must carry this share of all growth to be named. */
const MIN_ROW_SHARE = 0.1;
const MIN_GOROUTINE_GROWTH = 50;
/** A window shorter than this is a glimpse: start-up, a burst or one GC cycle looks like a trend. */
const MIN_WINDOW_S = 3;
/** Of the goroutines added, at least this share must come in the window's second half: a leak keeps adding. */
const MIN_LATE_GOROUTINE_SHARE = 0.25;
/** GC pauses (or GC threads' CPU against Java threads') above this share of the window: pressure. */
const GC_PRESSURE_PCT = 5;
/** Fewer collections than this in the window are not a pattern (one full GC of a cold heap is not pressure). */
const MIN_COLLECTIONS = 5;
/** GC threads below this share of one core are not worth a finding, whatever the Java threads did. */
const MIN_GC_CPU_CORE_SHARE = 0.1;

const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;

function growthFinding(g: NonNullable<RuntimeMemoryEvidence['growth']>): Finding[] {
  const grew = g.rows.filter((r) => r.bytesAfter > r.bytesBefore);
  const total = grew.reduce((s, r) => s + (r.bytesAfter - r.bytesBefore), 0);
  if (total < MIN_GROWTH_BYTES || g.windowS < MIN_WINDOW_S) return [];
  const named = grew.filter((r) => r.bytesAfter - r.bytesBefore >= total * MIN_ROW_SHARE).slice(0, 5);
  const top = named[0] as GrowthRow;
  const perMin = mb((total / g.windowS) * 60);
  const severity: Severity = perMin >= 50 ? 'high' : perMin >= 5 ? 'medium' : 'low';
  const row = (r: GrowthRow) =>
    `${r.name} +${mb(r.bytesAfter - r.bytesBefore)} MB (${mb(r.bytesBefore)} → ${mb(r.bytesAfter)} MB, ${r.countBefore} → ${r.countAfter} objects)`;
  const what = g.by;
  return [
    {
      rule: 'memory.growth',
      area: 'memory',
      severity,
      title: `Live heap grew +${mb(total)} MB in ${Math.round(g.windowS)} s (${perMin} MB/min), most in ${what} ${top.name} (+${mb(top.bytesAfter - top.bytesBefore)} MB)`,
      evidence: {
        series: g.source,
        by: g.by,
        grewMb: mb(total),
        mbPerMin: perMin,
        windowS: Math.round(g.windowS * 10) / 10,
        top: named.map((r) => ({ name: r.name, grewBytes: r.bytesAfter - r.bytesBefore, bytesBefore: r.bytesBefore, bytesAfter: r.bytesAfter, countBefore: r.countBefore, countAfter: r.countAfter })),
      },
      recommendation:
        `${g.by === 'class' ? 'Instances of' : g.by === 'allocating line' ? 'Memory allocated at' : 'Memory allocated by'} ${named.map((r) => r.name).join(', ')} stayed live and kept growing under steady load: ${named.map(row).join('; ')}. ` +
        'Find what keeps them reachable (a static collection, a cache without a bound, listeners never removed) and bound or release it; a longer run or `--memory-phase` shows whether it levels off.',
      estimatedImpact: { pct: Math.min(100, Math.round((100 * total) / Math.max(1, top.bytesAfter))), basis: 'share of the grown bytes named' },
    },
  ];
}

function goroutineFinding(g: NonNullable<RuntimeMemoryEvidence['goroutines']>): Finding[] {
  const grew = g.end - g.start;
  if (grew < MIN_GOROUTINE_GROWTH || g.end < g.start * 2 || g.windowS < MIN_WINDOW_S) return [];
  // Still growing in the window's second half: a pool that starts its workers once grows in one step.
  const series = g.series ?? [];
  if (series.length >= 3 && g.end - series[Math.floor((series.length - 1) / 2)] < grew * MIN_LATE_GOROUTINE_SHARE) return [];
  return [
    {
      rule: 'go.goroutine-growth',
      area: 'memory',
      severity: grew >= 1000 ? 'high' : 'medium',
      title: `Goroutines grew ${g.start} → ${g.end} in ${Math.round(g.windowS)} s under steady load`,
      evidence: { start: g.start, end: g.end, windowS: Math.round(g.windowS * 10) / 10, perS: Math.round(grew / g.windowS), series: series.length ? series : undefined },
      recommendation:
        'Goroutines that never end leak their stacks and everything they reference. Look at /debug/pprof/goroutine?debug=1 for the stacks that multiply: a channel nobody reads, a missing context cancel, a ticker never stopped.',
      estimatedImpact: { pct: Math.min(100, Math.round((100 * grew) / g.end)), basis: 'share of goroutines added in the window' },
    },
  ];
}

function gcPressureFinding(p: NonNullable<RuntimeMemoryEvidence['gcPauses']>, javaCpuMs: number | null): Finding[] {
  const pausePct = p.windowS > 0 ? (100 * p.totalMs) / (p.windowS * 1000) : 0;
  const gcCpuEnough = p.cpuMs !== undefined && p.cpuMs >= MIN_GC_CPU_CORE_SHARE * p.windowS * 1000;
  const gcCpuPct = gcCpuEnough && javaCpuMs ? (100 * p.cpuMs!) / javaCpuMs : 0;
  if (p.count < MIN_COLLECTIONS || p.windowS < MIN_WINDOW_S) return [];
  if (pausePct < GC_PRESSURE_PCT && gcCpuPct < 4 * GC_PRESSURE_PCT) return [];
  const pct = Math.round(Math.max(pausePct, gcCpuPct / 4) * 10) / 10;
  return [
    {
      rule: 'jvm.gc-pressure',
      area: 'memory',
      severity: pct >= 20 ? 'high' : 'medium',
      title: `JVM GC paused ${Math.round(pausePct * 10) / 10} % of the window (${p.count} collections, longest ${p.maxMs} ms)${gcCpuPct ? `; GC threads used ${Math.round(gcCpuPct)} % as much CPU as the Java threads` : ''}`,
      evidence: { collections: p.count, pauseTotalMs: p.totalMs, pauseMaxMs: p.maxMs, windowS: p.windowS, pausePct: Math.round(pausePct * 10) / 10, gcThreadCpuMs: p.cpuMs ?? null, javaThreadCpuMs: javaCpuMs },
      recommendation:
        'Allocate less on the hot path (the allocation samples in recording.jfr name the sites: `perfloop flame recording.jfr --sample-type alloc`), or give the heap room (-Xmx) if the live set is simply larger than it.',
      estimatedImpact: { pct, basis: 'share of the window spent in GC pauses' },
    },
  ];
}

export function runtimeMemoryFindings(m: RuntimeMemoryEvidence, javaCpuMs: number | null = null): Finding[] {
  return [
    ...(m.growth ? growthFinding(m.growth) : []),
    ...(m.goroutines ? goroutineFinding(m.goroutines) : []),
    ...(m.gcPauses ? gcPressureFinding(m.gcPauses, javaCpuMs) : []),
  ];
}
