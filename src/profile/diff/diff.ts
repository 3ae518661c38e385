import type { Profile } from '../../core/profile.js';
import { groupFrames } from '../analyse/function-groups.js';
import type { CategoryShare } from '../analyse/top-consumers.js';
import { frameWeights } from '../analyse/weights.js';

/**
 * Before/after comparison of two profiles by share, not absolute time: the two runs rarely last equally long or
 * take the same number of samples, so each function's self and total are taken as a percentage of its own
 * profile's non-idle weight (the "normalised" differential flame graph of Brendan Gregg's difffolded.pl -n).
 */
export interface FunctionChange {
  name: string;
  file: string | null;
  beforeSelfPct: number;
  afterSelfPct: number;
  deltaSelfPct: number;
  beforeTotalPct: number;
  afterTotalPct: number;
  deltaTotalPct: number;
  status: 'grew' | 'shrank' | 'new' | 'gone' | 'same';
}

export interface CategoryChange {
  name: string;
  beforePct: number;
  afterPct: number;
  deltaPct: number;
}

export interface ProfileDiff {
  before: { name: string; format: string; samples: number; activeWeight: number };
  after: { name: string; format: string; samples: number; activeWeight: number };
  unit: string;
  /** Largest change first: |Δ self|, or half |Δ total| when that is larger. */
  changes: FunctionChange[];
  /** Category shares before and after, largest change first (when the caller has both analyses). */
  categories?: CategoryChange[];
}

export function diffCategories(
  before: readonly CategoryShare[],
  after: readonly CategoryShare[],
): CategoryChange[] {
  const names = new Set([...before.map((c) => c.name), ...after.map((c) => c.name)]);
  return [...names]
    .map((name) => {
      const b = before.find((c) => c.name === name)?.pct ?? 0;
      const a = after.find((c) => c.name === name)?.pct ?? 0;
      return { name, beforePct: b, afterPct: a, deltaPct: r2(a - b) };
    })
    .sort((x, y) => Math.abs(y.deltaPct) - Math.abs(x.deltaPct) || x.name.localeCompare(y.name));
}

/** Functions are matched by name and file, not line: a change shifts lines. */
export const functionKey = (f: { name: string; file?: string }) => `${f.name}\u0000${f.file ?? ''}`;

function shares(p: Profile) {
  const w = frameWeights(p);
  // What the top-consumers table calls one function: a WebAssembly module's code is one entry.
  const groups = groupFrames(p);
  const gw = frameWeights(p, groups.groupOf, groups.count);
  const by = new Map<string, { name: string; file: string | null; self: number; total: number }>();
  // Total per function (recursion once): several frames of one function (different lines) can be on one stack,
  // so totals per key take the entry with the largest total rather than a sum.
  for (let g = 0; g < groups.count; g++) {
    const f = p.frames[groups.representative[g]];
    if (f.kind === 'idle') continue;
    const merged = groups.merged[g];
    const k = merged ? `${groups.names[g]}\u0000` : functionKey(f);
    const e = by.get(k) ?? {
      name: groups.names[g],
      file: merged ? null : (f.file ?? null),
      self: 0,
      total: 0,
    };
    e.self += gw.self[g];
    e.total = Math.max(e.total, gw.total[g]);
    by.set(k, e);
  }
  const pct = (x: number) => (w.active > 0 ? (100 * x) / w.active : 0);
  return { by, pct, active: w.active };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export function diffProfiles(before: Profile, after: Profile, limit = 20): ProfileDiff {
  const b = shares(before);
  const a = shares(after);
  const keys = new Set([...b.by.keys(), ...a.by.keys()]);
  const changes: FunctionChange[] = [];
  for (const k of keys) {
    const x = b.by.get(k);
    const y = a.by.get(k);
    const c: FunctionChange = {
      name: (y ?? x)!.name,
      file: (y ?? x)!.file,
      beforeSelfPct: r2(b.pct(x?.self ?? 0)),
      afterSelfPct: r2(a.pct(y?.self ?? 0)),
      deltaSelfPct: 0,
      beforeTotalPct: r2(b.pct(x?.total ?? 0)),
      afterTotalPct: r2(a.pct(y?.total ?? 0)),
      deltaTotalPct: 0,
      status: 'same',
    };
    c.deltaSelfPct = r2(c.afterSelfPct - c.beforeSelfPct);
    c.deltaTotalPct = r2(c.afterTotalPct - c.beforeTotalPct);
    const d = Math.abs(c.deltaSelfPct) >= Math.abs(c.deltaTotalPct) ? c.deltaSelfPct : c.deltaTotalPct;
    c.status =
      !x || (c.beforeTotalPct === 0 && c.afterTotalPct > 0)
        ? 'new'
        : !y || (c.afterTotalPct === 0 && c.beforeTotalPct > 0)
          ? 'gone'
          : d > 0
            ? 'grew'
            : d < 0
              ? 'shrank'
              : 'same';
    if (c.deltaSelfPct !== 0 || c.deltaTotalPct !== 0) changes.push(c);
  }
  // Self changes say where time moved; total changes mostly follow them up the stack, so they count half.
  const weight = (c: FunctionChange) => Math.max(Math.abs(c.deltaSelfPct), Math.abs(c.deltaTotalPct) / 2);
  changes.sort((p, q) => weight(q) - weight(p) || p.name.localeCompare(q.name));
  const side = (p: Profile, s: { active: number }) => ({
    name: p.meta.name ?? p.meta.format,
    format: p.meta.format,
    samples: p.sampleCount,
    activeWeight: s.active,
  });
  return {
    before: side(before, b),
    after: side(after, a),
    unit: after.unit,
    changes: changes.slice(0, limit),
  };
}
