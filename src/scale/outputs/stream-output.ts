import type { MetricDef } from '../../core/metric.js';
import type { PointsOutput } from '../../load/output/points-file.js';
import { SeriesAggregator, type Series } from './series.js';

export interface StreamOutputOptions {
  /** What the endpoint is called in messages: "prometheus-rw", "otlp". */
  kind: string;
  url: string;
  def: (name: string) => MetricDef | undefined;
  /** The body of one push: every series, cumulative, at time `nowMs`. */
  encode: (series: readonly Series[], nowMs: number) => { body: Uint8Array | string; headers: Record<string, string> };
  flushMs: number;
  report: (line: string) => void;
  /** One push may take this long before it counts as failed. */
  timeoutMs?: number;
}

/**
 * Pushes the test's metrics to a monitoring endpoint while the test runs, every `flushMs`. The sample hot path
 * only updates in-memory aggregates (bounded, see SeriesAggregator); pushes are asynchronous, at most one in
 * flight, each with a timeout. Because every push carries cumulative values, a push skipped while the previous
 * one is still in flight loses nothing, and an endpoint that is down or slow never stalls the load — failures are
 * counted and reported once at the end.
 */
export function streamOutput(o: StreamOutputOptions): PointsOutput {
  const agg = new SeriesAggregator(o.def);
  const stats = { sent: 0, failed: 0, skipped: 0, lastError: '' };
  let inFlight: Promise<void> | null = null;
  const push = (timeoutMs = o.timeoutMs ?? 5000): Promise<void> => {
    if (inFlight) {
      stats.skipped++;
      return inFlight;
    }
    if (agg.series.size === 0) return Promise.resolve();
    const { body, headers } = o.encode([...agg.series.values()], Date.now());
    inFlight = fetch(o.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) })
      .then(async (res) => {
        if (res.ok) stats.sent++;
        else {
          stats.failed++;
          stats.lastError = `HTTP ${res.status} ${(await res.text().catch(() => '')).slice(0, 200)}`.trim();
        }
      })
      .catch((e: Error) => {
        stats.failed++;
        stats.lastError = (e.cause as Error | undefined)?.message ?? e.message;
      })
      .finally(() => (inFlight = null));
    return inFlight;
  };
  const timer = setInterval(() => void push(), o.flushMs);
  timer.unref();
  return {
    sink: (metric, value, tags, timeMs) => agg.add(metric, value, tags, timeMs),
    async close() {
      clearInterval(timer);
      // At most ~2 s more at the end, however slow the endpoint: the test's own result must not wait on it.
      await Promise.race([inFlight, new Promise((r) => setTimeout(r, 1000).unref())]);
      inFlight = null;
      await push(1000); // the final values
      const dropped = agg.droppedSeries > 0 ? `, ${agg.droppedSeries} samples of series beyond the limit dropped` : '';
      if (stats.failed > 0 || dropped)
        o.report(
          `warning: --out ${o.kind}: ${stats.sent} pushes sent, ${stats.failed} failed${stats.lastError ? ` (last: ${stats.lastError})` : ''}${dropped}\n`,
        );
    },
  };
}
