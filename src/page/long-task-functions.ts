import type { V8CpuProfile } from '../profile/import/cpuprofile.js';
import type { LongTask } from './types.js';

/**
 * Samples further apart than this end a busy stretch. The sampler skips ticks when the machine is loaded (gaps of
 * 50–100 ms were seen at load average 16 on 2 cores), so a long task shows as busy samples with holes; an idle
 * sample always ends a stretch.
 */
const MAX_GAP_US = 50_000;

interface BusySample {
  /** µs on the profile's clock. */
  t: number;
  /** The page function on the CPU (leaf-most frame with a URL), or null for the browser's own work. */
  fn: string | null;
}

/**
 * Which of the page's functions each long task ran. The longtask entries say only when and how long (on the page's
 * clock); the CPU profile says what ran, on V8's own clock (TimeTicks), and CDP gives no mapping between the two.
 * So the offset between the clocks is found from the data: every alignment of a long task's start or end with a
 * busy stretch's start or end is a candidate, and the one that puts the most busy samples inside the long tasks
 * wins. Each task is then named after the page function with the most samples inside it.
 */
export function attributeLongTasks(rawTasks: readonly [number, number][], profile: V8CpuProfile | null): LongTask[] {
  const samples = profile ? busySamples(profile) : [];
  const tasksUs = rawTasks.map(([s, d]) => [s * 1000, (s + d) * 1000] as const);
  const offset = bestOffset(tasksUs, samples);
  return rawTasks.map(([startMs, durationMs], i) => ({
    startMs: Math.round(startMs * 10) / 10,
    durationMs: Math.round(durationMs * 10) / 10,
    topFunction: offset === null ? null : topFunctionIn(samples, tasksUs[i][0] + offset, tasksUs[i][1] + offset),
  }));
}

function bestOffset(tasks: readonly (readonly [number, number])[], samples: readonly BusySample[]): number | null {
  if (tasks.length === 0 || samples.length === 0) return null;
  const stretches: [number, number][] = [];
  for (const s of samples) {
    const last = stretches.at(-1);
    if (last && s.t - last[1] <= MAX_GAP_US) last[1] = s.t;
    else stretches.push([s.t, s.t]);
  }
  let best: number | null = null;
  let bestScore = 0;
  for (const [ts, te] of tasks)
    for (const [ss, se] of stretches)
      for (const offset of [ss - ts, se - te]) {
        const score = tasks.reduce((n, [a, b]) => n + countIn(samples, a + offset, b + offset), 0);
        if (score > bestScore) {
          bestScore = score;
          best = offset;
        }
      }
  return best;
}

/** Samples are in time order: binary search for the first at or after `from`. */
function firstAtOrAfter(samples: readonly BusySample[], from: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid].t < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countIn(samples: readonly BusySample[], from: number, to: number): number {
  return firstAtOrAfter(samples, to) - firstAtOrAfter(samples, from);
}

function topFunctionIn(samples: readonly BusySample[], from: number, to: number): string | null {
  const counts = new Map<string, number>();
  for (let i = firstAtOrAfter(samples, from); i < samples.length && samples[i].t < to; i++) {
    const fn = samples[i].fn;
    if (fn) counts.set(fn, (counts.get(fn) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function busySamples(p: V8CpuProfile): BusySample[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  if (parent.size === 0) for (const n of p.nodes) if (n.parent !== undefined) parent.set(n.id, n.parent);
  const fnOf = new Map<number, string | null>();
  const pageFunction = (id: number): string | null => {
    const cached = fnOf.get(id);
    if (cached !== undefined) return cached;
    let cur: number | undefined = id;
    let name: string | null = null;
    for (; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (f?.url) {
        name = f.functionName || '(anonymous)';
        break;
      }
    }
    fnOf.set(id, name);
    return name;
  };
  const out: BusySample[] = [];
  let t = p.startTime;
  const deltas = p.timeDeltas ?? [];
  (p.samples ?? []).forEach((id, i) => {
    t += deltas[i] ?? 0;
    const name = byId.get(id)?.callFrame.functionName;
    if (name !== '(idle)' && name !== '(root)') out.push({ t, fn: pageFunction(id) });
  });
  return out.sort((a, b) => a.t - b.t); // V8's time deltas are occasionally negative

}
