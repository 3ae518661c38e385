import { Histogram } from '../core/histogram.js';
import type { IntervalRecord } from '../core/run.js';

/**
 * Merges one-second intervals from several generators (worker threads, processes) by their index: counts
 * add, histograms merge exactly. Histograms stay encoded (a few hundred bytes a second, so memory stays flat)
 * and are only decoded where two generators reported the same second — decoding costs about a millisecond,
 * which a generator's event loop should not pay every second.
 */
export class IntervalMerger {
  private readonly byT = new Map<number, { count: number; errors: number; parts: string[] }>();
  private last = -1;

  add(records: Iterable<IntervalRecord>, offset = 0): void {
    for (const r of records) {
      const t = r.t + offset;
      let m = this.byT.get(t);
      if (!m) {
        m = { count: 0, errors: 0, parts: [] };
        this.byT.set(t, m);
        if (t > this.last) this.last = t;
      }
      m.count += r.count;
      m.errors += r.errors;
      if (r.count > 0) m.parts.push(r.histogram);
    }
  }

  get lastT(): number {
    return this.last;
  }

  private static merged(parts: readonly string[]): Histogram {
    return Histogram.mergeAll(parts.map((p) => Histogram.decode(p)));
  }

  at(t: number): { count: number; errors: number; histogram: () => Histogram } | undefined {
    const m = this.byT.get(t);
    return m && { count: m.count, errors: m.errors, histogram: () => IntervalMerger.merged(m.parts) };
  }

  totals(): { count: number; errors: number } {
    let count = 0;
    let errors = 0;
    for (const m of this.byT.values()) {
      count += m.count;
      errors += m.errors;
    }
    return { count, errors };
  }

  /** Every second from 0 to the last, gaps filled with empty intervals. */
  list(): IntervalRecord[] {
    const out: IntervalRecord[] = [];
    const empty = new Histogram().encode();
    for (let t = 0; t <= this.last; t++) {
      const m = this.byT.get(t);
      if (!m) out.push({ t, count: 0, errors: 0, histogram: empty });
      else
        out.push({
          t,
          count: m.count,
          errors: m.errors,
          histogram:
            m.parts.length === 1
              ? m.parts[0]
              : m.parts.length === 0
                ? empty
                : IntervalMerger.merged(m.parts).encode(),
        });
    }
    return out;
  }
}
