import type { V8CpuProfile } from '../profile/import/cpuprofile.js';
import type { LongTask } from './types.js';

/** Samples further apart than this end a busy stretch (the sampler skips ticks under load). */
const MAX_GAP_US = 5_000;
const LONG_TASK_US = 50_000;

interface BusyStretch {
  durationMs: number;
  topFunction: string | null;
}

/**
 * Which of the page's functions each long task ran. The longtask entries say only when and how long; the CPU
 * profile says what ran, on its own clock (V8's TimeTicks, not the page's timeOrigin). So the profile's busy
 * stretches (consecutive non-idle samples lasting ≥ 50 ms) are found, each named after the page function
 * (leaf-most frame with a URL) with the most samples in it, and paired with the long tasks of closest duration.
 */
export function attributeLongTasks(rawTasks: readonly [number, number][], profile: V8CpuProfile | null): LongTask[] {
  const stretches = profile ? busyStretches(profile) : [];
  const free = [...stretches];
  return rawTasks.map(([startMs, durationMs]) => {
    let best = -1;
    for (let i = 0; i < free.length; i++)
      if (best < 0 || Math.abs(free[i].durationMs - durationMs) < Math.abs(free[best].durationMs - durationMs)) best = i;
    const match = best >= 0 ? free.splice(best, 1)[0] : undefined;
    return { startMs: Math.round(startMs * 10) / 10, durationMs: Math.round(durationMs * 10) / 10, topFunction: match?.topFunction ?? null };
  });
}

function busyStretches(p: V8CpuProfile): BusyStretch[] {
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  if (parent.size === 0) for (const n of p.nodes) if (n.parent !== undefined) parent.set(n.id, n.parent);
  const pageFunctionOf = new Map<number, string | null>();
  const pageFunction = (id: number): string | null => {
    const cached = pageFunctionOf.get(id);
    if (cached !== undefined) return cached;
    let cur: number | undefined = id;
    let name: string | null = null;
    while (cur !== undefined) {
      const f = byId.get(cur)?.callFrame;
      if (f?.url && f.functionName !== undefined) {
        name = f.functionName || '(anonymous)';
        break;
      }
      cur = parent.get(cur);
    }
    pageFunctionOf.set(id, name);
    return name;
  };

  const out: BusyStretch[] = [];
  let t = p.startTime;
  let start = -1;
  let last = -1;
  let counts = new Map<string, number>();
  const close = () => {
    if (start >= 0 && last - start >= LONG_TASK_US) {
      const top = [...counts].sort((a, b) => b[1] - a[1])[0];
      out.push({ durationMs: (last - start) / 1000, topFunction: top?.[0] ?? null });
    }
    start = -1;
    counts = new Map();
  };
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    const name = byId.get(samples[i])?.callFrame.functionName;
    if (name === '(idle)' || name === '(root)') {
      close();
      continue;
    }
    if (start >= 0 && t - last > MAX_GAP_US) close();
    if (start < 0) start = t;
    last = t;
    const fn = pageFunction(samples[i]);
    if (fn) counts.set(fn, (counts.get(fn) ?? 0) + 1);
  }
  close();
  return out;
}
