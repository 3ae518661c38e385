import type { Http1Connection } from '../http1/connection.js';
import type { ExecutorContext } from './types.js';

/** After a transport error a VU waits this long before its next iteration, so a dead target is not spun on. */
const ERROR_BACKOFF_MS = 10;

/**
 * One closed-model VU: sends the next request of the mix as soon as the previous one completes, until
 * `keepGoing()` says stop. Callback-driven (no promise per request) because this is the hot loop.
 */
export function runVU(ctx: ExecutorContext, conn: Http1Connection, keepGoing: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const next = (): void => {
      if (ctx.stopped() || !keepGoing()) {
        resolve();
        return;
      }
      const index = ctx.mix.pick();
      const req = ctx.mix.request(index);
      const started = performance.now();
      conn.send(req, (err, t) => {
        const now = performance.now();
        ctx.recorder.record(
          t
            ? { request: index, method: req.method, status: t.status, durationMs: t.durationMs, connectingMs: t.connectingMs,
                waitingMs: t.waitingMs, receivingMs: t.receivingMs, bytesIn: t.bytesIn, bytesOut: t.bytesOut }
            : { request: index, method: req.method, status: 0, durationMs: now - started, connectingMs: 0, waitingMs: 0,
                receivingMs: 0, bytesIn: 0, bytesOut: 0 },
          now,
        );
        ctx.recorder.metrics.add('iterations', 1);
        ctx.recorder.metrics.add('iteration_duration', now - started);
        if (err) setTimeout(next, ERROR_BACKOFF_MS);
        else next();
      });
    };
    next();
  });
}
