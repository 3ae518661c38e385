import { Histogram } from '../core/histogram.js';
import type { IntervalRecord } from '../core/run.js';

interface EndpointParts {
  count: number;
  errors: number;
  parts: string[];
}

/**
 * Merges one-second intervals from several generators (worker threads, processes) by their index: counts
 * add, histograms merge exactly. Histograms stay encoded (a few hundred bytes a second, so memory stays flat)
 * and are only decoded where two generators reported the same second — decoding costs about a millisecond,
 * which a generator's event loop should not pay every second.
 */
export class IntervalMerger {
  private readonly byT = new Map<
    number,
    { count: number; errors: number; parts: string[]; endpoints: Map<string, EndpointParts> | null }
  >();
  private last = -1;

  add(records: Iterable<IntervalRecord>, offset = 0): void {
    for (const r of records) {
      const t = r.t + offset;
      let m = this.byT.get(t);
      if (!m) {
        m = { count: 0, errors: 0, parts: [], endpoints: null };
        this.byT.set(t, m);
        if (t > this.last) this.last = t;
      }
      m.count += r.count;
      m.errors += r.errors;
      if (r.count > 0) m.parts.push(r.histogram);
      for (const [name, e] of Object.entries(r.endpoints ?? {})) {
        m.endpoints ??= new Map();
        let p = m.endpoints.get(name);
        if (!p) m.endpoints.set(name, (p = { count: 0, errors: 0, parts: [] }));
        p.count += e.count;
        p.errors += e.errors;
        if (e.count > 0) p.parts.push(e.histogram);
      }
    }
  }

  get lastT(): number {
    return this.last;
  }

  private static merged(parts: readonly string[]): Histogram {
    return Histogram.mergeAll(parts.map((p) => Histogram.decode(p)));
  }

  /** One encoded histogram of the parts (the part itself when there is one). */
  private static encoded(parts: readonly string[], empty: string): string {
    return parts.length === 1 ? parts[0] : parts.length === 0 ? empty : IntervalMerger.merged(parts).encode();
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
          histogram: IntervalMerger.encoded(m.parts, empty),
          ...(m.endpoints && {
            endpoints: Object.fromEntries(
              [...m.endpoints].map(([name, p]) => [
                name,
                { count: p.count, errors: p.errors, histogram: IntervalMerger.encoded(p.parts, empty) },
              ]),
            ),
          }),
        });
    }
    return out;
  }
}
