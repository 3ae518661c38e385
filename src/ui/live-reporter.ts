import { randomBytes } from 'node:crypto';
import type { LoadProgress } from '../load/engine.js';
import type { LivePoint } from './live.js';

/** The target's resources at one moment, when the caller samples a target process (perfloop run). */
export interface TargetSample {
  cpuPct: number | null;
  rssMb: number | null;
}

/**
 * Reports a running test to a `perfloop ui` (POST /api/live), one message per second. Fire-and-forget: a
 * dashboard that is slow or gone never slows or fails the test; it is reported once on stderr.
 */
export function liveReporter(
  dashboardUrl: string,
  title: string,
  warn: (line: string) => void,
  target?: () => TargetSample | undefined,
): { progress(p: LoadProgress): void; done(): Promise<void> } {
  const endpoint = new URL('api/live', dashboardUrl.endsWith('/') ? dashboardUrl : `${dashboardUrl}/`).toString();
  const session = `${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
  let warned = false;
  let inFlight: Promise<void> = Promise.resolve();
  const post = (body: unknown) => {
    inFlight = fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(2000),
    })
      .then((r) => void r.body?.cancel())
      .catch((e: unknown) => {
        if (warned) return;
        warned = true;
        warn(`dashboard ${endpoint} unreachable (${(e as Error).message}); the test goes on without it`);
      });
  };
  return {
    progress(p) {
      const t = p.target ?? target?.();
      const point: LivePoint = {
        t: Math.round(p.elapsedMs / 1000),
        vus: p.vus,
        rps: p.rps,
        p50Ms: p.p50Ms ?? null,
        p95Ms: p.p95Ms,
        p99Ms: p.p99Ms ?? null,
        errors: p.errorsLastSecond ?? 0,
        requests: p.requests,
        cpuPct: t?.cpuPct ?? null,
        rssMb: t?.rssMb ?? null,
        stage: p.stage,
        thresholds: p.thresholds,
      };
      post({ session, title, point });
    },
    async done() {
      await inFlight;
      post({ session, title, done: true });
      await inFlight;
    },
  };
}
