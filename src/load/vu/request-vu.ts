import type { Tags } from '../../core/metric.js';
import { runChecks, type CompiledCheck } from '../checks.js';
import type { EncodedRequest } from '../http1/request.js';
import type { LoadRecorder } from '../recorder.js';
import type { RequestMix } from '../scenario.js';
import type { Transport } from '../transport/types.js';
import type { Vu } from '../executors/types.js';

/** What the request VUs of one thread share. */
export interface RequestVuEnv {
  mix: RequestMix;
  recorder: LoadRecorder;
  /** The connection of VU `slot` to `origin` (VUs share one when pipelining). */
  transport(origin: string, slot: number): Transport;
  /** Compiled declarative checks per request template (null: none). */
  checks: readonly (readonly CompiledCheck[] | null)[];
  scenarioNames: readonly string[];
}

/**
 * A VU whose iteration is one request picked from the weighted mix: quick mode (`perfloop load URL`) and the
 * declarative form. One keep-alive connection per VU (per origin), as k6 and wrk do.
 */
export class RequestVu implements Vu {
  private closed = false;
  private readonly transports = new Map<string, Transport>();
  private last: { origin: string; transport: Transport } | null = null;

  constructor(
    readonly id: number,
    private readonly env: RequestVuEnv,
    private readonly scenario: number,
    /** Which connection slot this VU uses. */
    private readonly slot: number,
  ) {}

  private transportFor(req: EncodedRequest): Transport {
    if (this.last && this.last.origin === req.origin) return this.last.transport;
    let t = this.transports.get(req.origin);
    if (!t) {
      t = this.env.transport(req.origin, this.slot);
      this.transports.set(req.origin, t);
    }
    this.last = { origin: req.origin, transport: t };
    return t;
  }

  iterate(lateMs: number, done: (ok: boolean) => void): void {
    if (this.closed) return done(false);
    const { mix, recorder } = this.env;
    const index = mix.pick();
    const req = mix.request(index);
    this.transportFor(req).send(req, (err, t, startedAt) => {
      if (this.closed) return done(false);
      const now = t ? t.endedAt : performance.now();
      const uncorrected = t ? t.durationMs : now - startedAt;
      // Latency counts from when the request was meant to go out, not from when a VU was free to send it.
      const duration = uncorrected + lateMs;
      const status = t ? t.status : 0;
      recorder.record(
        t
          ? {
              request: index,
              method: req.method,
              status,
              durationMs: duration,
              uncorrectedMs: uncorrected,
              blockedMs: t.blockedMs,
              connectingMs: t.connectingMs,
              sendingMs: t.sendingMs,
              waitingMs: t.waitingMs,
              receivingMs: t.receivingMs,
              bytesIn: t.bytesIn,
              bytesOut: t.bytesOut,
              scenario: this.scenario,
            }
          : {
              request: index,
              method: req.method,
              status: 0,
              durationMs: duration,
              uncorrectedMs: uncorrected,
              connectingMs: 0,
              waitingMs: 0,
              receivingMs: 0,
              bytesIn: 0,
              bytesOut: 0,
              scenario: this.scenario,
            },
        now,
      );
      recorder.requestIteration(this.scenario, duration, status !== 0, now);
      const checks = this.env.checks[index];
      if (checks) {
        const tags: Tags = {
          name: mix.names[index],
          scenario: this.env.scenarioNames[this.scenario] ?? 'default',
          group: '',
        };
        runChecks(checks, { status, durationMs: duration, body: t?.body }, recorder, tags);
      }
      done(!err);
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.transports.values()) t.close();
  }

  expire(now: number): void {
    for (const t of this.transports.values()) t.expire(now);
  }
}
