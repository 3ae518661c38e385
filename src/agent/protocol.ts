/**
 * The wire protocol between the in-process agent (inside the target) and the collector (inside the
 * CLI): newline-delimited JSON over a unix socket, one message per line. Shared by both sides so
 * the shapes cannot drift. Types only (plus env names): the agent must stay tiny.
 */

/** Unix socket path of the collector; when unset the preloaded agent does nothing. */
export const AGENT_SOCKET_ENV = 'PERFLOOP_AGENT_SOCKET';
/** Sample interval in ms (default 250). */
export const AGENT_SAMPLE_MS_ENV = 'PERFLOOP_AGENT_SAMPLE_MS';
/**
 * CPU per request while profiling. `0`: none (the overhead benches' A side); `all`: every request timed (the full
 * clock: +5–11 % CPU per request on a handler awaiting 4 times, bench/agent-overhead-paired.ts); anything else: the
 * requests that begin in the duty cycle's windows (request-cpu.ts AGENT_DUTY_CYCLE), the agent's default.
 */
export const AGENT_REQUEST_CPU_ENV = 'PERFLOOP_AGENT_REQUEST_CPU';

export interface EventLoopDelayMs {
  min: number;
  mean: number;
  /** Mean of the squared per-tick delays (ms²): with the mean, the wait of a callback due at a random moment. */
  meanSquare?: number;
  p50: number;
  p99: number;
  max: number;
}

export interface AgentSample {
  /** Epoch ms when the sample was taken. */
  t: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  rss: number;
  /** Event-loop delay since the previous sample, in ms, beyond the 10 ms monitor resolution. */
  eventLoopDelay: EventLoopDelayMs;
  /** Lowest V8 heap used read right after a GC during the interval (null: no GC ran). */
  heapAfterGc: number | null;
  /** Garbage collections since the previous sample. */
  gc: { count: number; pauseMs: number; maxPauseMs: number };
  /** pg.Pool gauges, one per live pool the target created. */
  pools: { id: string; total: number; idle: number; waiting: number }[];
  /** Cumulative counts the agent dropped instead of buffering without bound. */
  dropped?: { queries: number; requests: number; messages: number };
}

export interface CapturedQuery {
  /** Epoch ms when the query was issued. */
  t: number;
  durationMs: number;
  rows: number;
  /** SQL with whitespace collapsed, at most 4 KB (literals are normalised later, CLI side). */
  text: string;
  driver: 'pg' | 'pglite';
  requestId: string | null;
  /** `METHOD url` of the HTTP request the query ran under, e.g. `GET /api/x?y=1`. */
  request: string | null;
  /** Present when the query failed: the error message (capped). */
  error?: string;
}

export interface CapturedRequest {
  id: string;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  /** Epoch ms when the request arrived. */
  t: number;
  /** Main-thread ms the request's own code ran (callbacks in its async context), while the CPU profile ran:
   * stretches that waited for a core count their CPU profile samples, not their wall time (agent/sampled-cpu.ts). */
  cpuMs?: number;
}

export interface AgentHello {
  type: 'hello';
  pid: number;
  ppid: number;
  argv: string[];
  nodeVersion: string;
  /** Epoch ms when the process started. */
  startedAt: number;
  /** Driver copies patched for query capture, e.g. `pg (cjs)`, `@electric-sql/pglite (esm)`. */
  drivers?: string[];
}

export type AgentMessage =
  | AgentHello
  | ({ type: 'sample' } & AgentSample)
  | { type: 'queries'; items: CapturedQuery[] }
  | { type: 'requests'; items: CapturedRequest[] }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

export type CommandName =
  'startProfile' | 'stopProfile' | 'startHeapSampling' | 'stopHeapSampling' | 'gc' | 'heapSnapshot';

export interface CommandMessage {
  type: 'command';
  id: number;
  name: string;
  args?: Record<string, unknown>;
}
