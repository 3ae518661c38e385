import { AsyncLocalStorage } from 'node:async_hooks';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { CapturedRequest } from './protocol.js';
import { RequestCpuClock } from './request-cpu.js';
import { sampledCpuCorrections, type SampledProfile } from './sampled-cpu.js';

/** What a query looks up to know which HTTP request it ran under. */
export interface RequestContext {
  id: string;
  /** `id` as a number (the CPU clock's log names requests by it). */
  seq: number;
  /** `METHOD url`, e.g. `GET /api/x?y=1`. */
  request: string;
  /** Main-thread ms spent in this request's code (RequestCpuClock), when the clock timed it throughout; corrected
   * to the CPU profile's samples for stretches that waited for a core (sampledCpu) once the profile stops. */
  cpuMs: number;
  timed: boolean;
}

export const requestStore = new AsyncLocalStorage<RequestContext>();

const MAX_PENDING = 50_000;
const MAX_URL_CHARS = 2048;
const PATCHED = Symbol.for('perfloop.agent.requestEmit');

/**
 * Gives every incoming HTTP request an id and runs its handlers inside an AsyncLocalStorage
 * context, by wrapping `emit('request')` of http(s).Server — the one place every framework
 * (express, fastify, koa, bare node:http) goes through. Completed requests are buffered (bounded;
 * overflow counted in `dropped`) until the next sample flushes them.
 */
export class RequestTracker {
  enabled = true;
  dropped = 0;
  /** Charges main-thread time to requests; on only while the CPU profile runs (Agent). */
  readonly cpu = new RequestCpuClock();
  private pending: CapturedRequest[] = [];
  private seq = 0;

  install(): void {
    for (const proto of [http.Server.prototype, https.Server.prototype]) this.patch(proto);
  }

  /**
   * Once the CPU profile stopped (and the clock with it): charges the clock's long intervals their samples instead
   * of their wall time. Requests not sent yet are corrected here; returns the corrections of those already sent
   * (request id → ms to add, ≤ 0), for the collector.
   */
  applySampledCpu(profile: SampledProfile, hrtimeOffsetMs: number): Record<string, number> {
    const log = this.cpu.longIntervals();
    if (log === null) return {};
    const corrections = sampledCpuCorrections(log, profile, hrtimeOffsetMs, log.samplingMs);
    for (const item of this.pending) {
      const delta = corrections.get(Number(item.id));
      if (delta === undefined || item.cpuMs === undefined) continue;
      item.cpuMs = Math.max(0, Math.round((item.cpuMs + delta) * 1000) / 1000);
      corrections.delete(Number(item.id));
    }
    const sent: Record<string, number> = {};
    for (const [seq, delta] of corrections) sent[String(seq)] = Math.round(delta * 1000) / 1000;
    return sent;
  }

  drain(): CapturedRequest[] {
    const items = this.pending;
    this.pending = [];
    return items;
  }

  private patch(proto: object): void {
    const target = proto as { emit: (...args: unknown[]) => boolean; [PATCHED]?: true };
    if (Object.prototype.hasOwnProperty.call(target, PATCHED)) return;
    const original = target.emit;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tracker = this;
    const emit = function (this: unknown, ...args: unknown[]): boolean {
      if (args[0] !== 'request' || !tracker.enabled) return Reflect.apply(original, this, args);
      let context: RequestContext | undefined;
      try {
        context = tracker.begin(args[1] as IncomingMessage, args[2] as ServerResponse);
      } catch {
        context = undefined;
      }
      if (context === undefined) return Reflect.apply(original, this, args);
      const ctx = context;
      tracker.cpu.enter(ctx);
      try {
        return requestStore.run(ctx, () => Reflect.apply(original, this, args));
      } finally {
        tracker.cpu.exit();
      }
    };
    Object.defineProperty(target, 'emit', { value: emit, writable: true, configurable: true });
    Object.defineProperty(target, PATCHED, { value: true });
  }

  private begin(req: IncomingMessage, res: ServerResponse): RequestContext {
    const seq = ++this.seq;
    const id = String(seq);
    const method = req.method ?? '?';
    const url = (req.url ?? '').slice(0, MAX_URL_CHARS);
    const t = Date.now();
    const start = performance.now();
    let done = false;
    const context: RequestContext = { id, seq, request: `${method} ${url}`, cpuMs: 0, timed: false };
    context.timed = this.cpu.admit(context);
    const finish = () => {
      if (done) return;
      done = true;
      try {
        // A response closed before it finished was aborted (client gone): status 0.
        const status = res.writableFinished ? res.statusCode : 0;
        const item: CapturedRequest = { id, method, url, status, durationMs: performance.now() - start, t };
        if (context.timed && this.cpu.release(context)) {
          this.cpu.settle(context);
          item.cpuMs = Math.round(context.cpuMs * 1000) / 1000;
        }
        this.record(item);
      } catch {
        /* bookkeeping only */
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    return context;
  }

  private record(item: CapturedRequest): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.push(item);
  }
}
