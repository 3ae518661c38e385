/**
 * The parameter values of the slowest call of each statement text, so perfloop can EXPLAIN a captured
 * statement with values the service really used (not invented ones). Bounded: at most MAX_STATEMENTS texts,
 * only JSON-safe values (strings cut at MAX_STRING, arrays at MAX_ARRAY elements); anything else (Buffers,
 * objects) makes the call's values unusable and it is skipped. Runs inside the service's database calls, so
 * it never throws.
 */
const MAX_STATEMENTS = 2000;
const MAX_STRING = 1024;
const MAX_ARRAY = 200;

export interface StatementParams {
  /** The values of the slowest call seen, $1 first. */
  values: unknown[];
  durationMs: number;
  /** Calls of this text that had usable values. */
  calls: number;
}

export class SlowestParams {
  private readonly byText = new Map<string, StatementParams>();

  note(text: string, params: unknown, durationMs: number): void {
    try {
      if (!Array.isArray(params) || params.length === 0) return;
      const known = this.byText.get(text);
      if (known) {
        known.calls++;
        if (durationMs <= known.durationMs) return;
      } else if (this.byText.size >= MAX_STATEMENTS) return;
      const values = safeValues(params);
      if (!values) return;
      this.byText.set(text, { values, durationMs, calls: known ? known.calls : 1 });
    } catch {
      /* bookkeeping only */
    }
  }

  snapshot(): Record<string, StatementParams> {
    return Object.fromEntries(this.byText);
  }

  clear(): void {
    this.byText.clear();
  }
}

function safeValues(params: readonly unknown[]): unknown[] | null {
  const out: unknown[] = [];
  for (const p of params) {
    const v = safeValue(p, true);
    if (v === undefined) return null;
    out.push(v);
  }
  return out;
}

function safeValue(v: unknown, allowArray: boolean): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > MAX_STRING ? undefined : v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (allowArray && Array.isArray(v) && v.length <= MAX_ARRAY) {
    const items = v.map((x) => safeValue(x, false));
    return items.includes(undefined) ? undefined : items;
  }
  return undefined;
}
