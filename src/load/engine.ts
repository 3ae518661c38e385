import { connect } from 'node:net';
import { PerfloopError } from '../core/errors.js';
import type { GaugeSink } from '../core/metric.js';
import { Http1Connection } from './http1/connection.js';
import { LoadRecorder } from './recorder.js';
import { RequestMix, type RequestTemplate } from './scenario.js';
import { seededRandom, TemplateFiller } from './url-template.js';
import { executorFactory } from './executors/registry.js';
import type { ExecutorContext } from './executors/types.js';
import { LoadResult } from './result.js';
import './executors/index.js';

export interface LoadProgress {
  elapsedMs: number;
  plannedMs: number;
  vus: number;
  requests: number;
  /** Requests per second over the last second. */
  rps: number;
  errors: number;
}

export interface LoadOptions {
  requests: RequestTemplate[];
  /** Executor name and its config, e.g. { executor: 'constant-vus', vus: 10, durationMs: 30000 }. */
  executor: { executor: string } & Record<string, unknown>;
  timeoutMs?: number;
  pipelining?: number;
  seed?: number;
  scenario?: string;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
}

const SWEEP_MS = 250;

/** Checks each distinct host:port accepts TCP connections, so an unreachable target fails fast with exit 2. */
async function assertReachable(templates: readonly RequestTemplate[], timeoutMs: number): Promise<void> {
  const targets = new Map<string, { host: string; port: number }>();
  for (const t of templates) {
    const u = new URL(t.url.replace(/\{\{[^}]*\}\}/g, '0'));
    const host = u.hostname.replace(/^\[|\]$/g, '');
    targets.set(`${host}:${u.port || 80}`, { host, port: Number(u.port || 80) });
  }
  await Promise.all(
    [...targets.entries()].map(
      ([key, { host, port }]) =>
        new Promise<void>((resolve, reject) => {
          const s = connect({ host, port, timeout: timeoutMs });
          const fail = (why: string) => {
            s.destroy();
            reject(new PerfloopError('LOAD_UNREACHABLE', `cannot connect to ${key}: ${why}`, { hint: 'is the service running?' }));
          };
          s.once('connect', () => (s.destroy(), resolve()));
          s.once('timeout', () => fail(`no answer within ${timeoutMs} ms`));
          s.once('error', (e) => fail(e.message));
        }),
    ),
  );
}

/** Runs one load scenario in this thread and returns its measurements. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const factory = executorFactory(options.executor.executor);
  if (!factory) throw new PerfloopError('LOAD_BAD_EXECUTOR', `unknown executor ${JSON.stringify(options.executor.executor)}`);
  const errors = factory.validate(options.executor, 'executor');
  if (errors.length > 0) throw new PerfloopError('LOAD_BAD_OPTIONS', errors.join('; '));
  const timeoutMs = options.timeoutMs ?? 60_000;
  await assertReachable(options.requests, Math.min(timeoutMs, 5000));

  const random = seededRandom(options.seed ?? 1);
  const mix = new RequestMix(options.requests, new TemplateFiller(random), random);
  const executor = factory.create(options.executor as never);
  const scenario = options.scenario ?? 'default';
  const startedAt = new Date();
  const t0 = performance.now();
  const recorder = new LoadRecorder(mix.names, scenario, t0);
  const connections = new Set<Http1Connection>();
  let interrupted = false;
  const onAbort = () => {
    interrupted = true;
    for (const c of connections) c.close();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let activeVUs = 0;
  const ctx: ExecutorContext = {
    mix,
    recorder,
    newConnection: () => {
      const first = mix.request(0);
      const c = new Http1Connection(first.host, first.port, { timeoutMs, pipelining: options.pipelining ?? 1 });
      connections.add(c);
      return c;
    },
    stopped: () => interrupted,
    setVUs: (n) => {
      activeVUs = n;
      (recorder.metrics.sink('vus') as GaugeSink).add(n);
      const max = recorder.metrics.sink('vus_max') as GaugeSink;
      if (n > max.value) max.add(n);
    },
  };
  let lastAt = t0;
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const c of connections) c.expire(now);
    recorder.advanceTo(now);
    if (options.onProgress && now - lastAt >= 1000) {
      const count = recorder.intervals.reduce((s, i) => s + i.count, 0);
      const last = recorder.intervals.at(-1);
      options.onProgress({
        elapsedMs: now - t0,
        plannedMs: executor.plannedMs,
        vus: activeVUs,
        requests: count,
        rps: last ? last.count : 0,
        errors: recorder.intervals.reduce((s, i) => s + i.errors, 0),
      });
      lastAt = now;
    }
  }, SWEEP_MS);
  try {
    await executor.run(ctx);
  } finally {
    clearInterval(sweep);
    options.signal?.removeEventListener('abort', onAbort);
    for (const c of connections) c.close();
  }
  const endedAt = performance.now();
  recorder.finish(endedAt);
  return new LoadResult(startedAt, (endedAt - t0) / 1000, recorder.metrics, recorder.intervals, mix.names, interrupted);
}
