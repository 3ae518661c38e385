import { performance } from 'node:perf_hooks';
import type { CapturedQuery } from './protocol.js';
import { requestStore } from './request-context.js';
import { SlowestParams } from './slowest-params.js';

const MAX_PENDING = 100_000;
const MAX_TEXT_CHARS = 4096;
const MAX_ERROR_CHARS = 500;

export type Driver = CapturedQuery['driver'];

/** A query in flight: the request context is captured when the query is issued, because the
 * driver's completion callback runs in the socket's async context, not the caller's. */
export interface QuerySpan {
  t: number;
  start: number;
  text: string;
  driver: Driver;
  requestId: string | null;
  request: string | null;
  /** The call's parameter values, when the driver was given them separately ($1 …). */
  params?: unknown;
}

/**
 * Collects query spans from the driver patches. Bounded: beyond MAX_PENDING unflushed queries the
 * newest are dropped and counted. Every method swallows its own errors — it runs inside the
 * service's database calls.
 */
export class QueryRecorder {
  enabled = true;
  dropped = 0;
  private pending: CapturedQuery[] = [];
  /** The values of each statement's slowest call, for EXPLAIN with real parameters. */
  readonly slowestParams = new SlowestParams();

  begin(driver: Driver, sql: unknown, params?: unknown): QuerySpan | null {
    if (!this.enabled) return null;
    try {
      const context = requestStore.getStore();
      return {
        t: Date.now(),
        start: performance.now(),
        text: collapse(sql),
        driver,
        requestId: context?.id ?? null,
        request: context?.request ?? null,
        params,
      };
    } catch {
      return null;
    }
  }

  end(span: QuerySpan | null, rows: () => number, error?: unknown): void {
    if (span === null) return;
    try {
      const durationMs = performance.now() - span.start;
      if (this.pending.length >= MAX_PENDING) {
        this.dropped++;
        return;
      }
      let count = 0;
      try {
        count = error === undefined ? rows() : 0;
      } catch {
        count = 0;
      }
      const { t, text, driver, requestId, request } = span;
      if (error === undefined && span.params !== undefined) this.slowestParams.note(text, span.params, durationMs);
      const item: CapturedQuery = { t, durationMs, rows: count, text, driver, requestId, request };
      if (error !== undefined) item.error = errorMessage(error);
      this.pending.push(item);
    } catch {
      /* bookkeeping only */
    }
  }

  /**
   * Returns a promise that settles exactly like `out` (same value, same rejection) after recording
   * the span. Chaining (rather than a side `.then`) keeps an unhandled rejection unhandled.
   */
  track<T>(span: QuerySpan | null, out: PromiseLike<T>, rows: (result: T) => number): PromiseLike<T> {
    if (span === null) return out;
    return out.then(
      (result) => {
        this.end(span, () => rows(result));
        return result;
      },
      (error: unknown) => {
        this.end(span, () => 0, error ?? new Error('rejected'));
        throw error;
      },
    );
  }

  drain(): CapturedQuery[] {
    const items = this.pending;
    this.pending = [];
    return items;
  }
}

/** Whitespace collapsed, capped at 4 KB; bounded work even for a megabyte-long bulk INSERT. */
function collapse(sql: unknown): string {
  const raw = typeof sql === 'string' ? sql : String(sql ?? '');
  return raw
    .slice(0, MAX_TEXT_CHARS * 4)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_TEXT_CHARS);
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, MAX_ERROR_CHARS);
}
