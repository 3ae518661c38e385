import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerfloopError } from '../core/errors.js';
import { NdjsonSplitter, toLine } from './ndjson.js';
import {
  AGENT_SAMPLE_MS_ENV,
  AGENT_SOCKET_ENV,
  type AgentHello,
  type AgentMessage,
  type AgentSample,
  type CapturedQuery,
  type CapturedRequest,
} from './protocol.js';

export type { AgentHello, AgentSample, CapturedQuery, CapturedRequest } from './protocol.js';

/** Beyond these, captured items are counted in `dropped` instead of kept (bounded CLI memory). */
const MAX_ITEMS = 200_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

export interface CollectorOptions {
  /** Agent sample interval in ms (default 250), passed to the target through targetEnv(). */
  sampleMs?: number;
}

interface PendingCommand {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The CLI side of the Node agent: a unix socket in a fresh temp dir that the agent preloaded into
 * the target connects to. Accumulates samples, queries and requests, and sends commands (CPU
 * profile, heap sampling, GC, heap snapshot) to the agent.
 *
 * The first agent to say hello is THE agent; any later one (a second serving process spawned by
 * the target) is told to go away, so the data never mixes processes.
 *
 * Events: 'agent' (hello), 'sample' (AgentSample), 'disconnect'.
 */
/** What the agent answers when the CPU profile stops (see stopProfile). */
export interface StoppedProfile {
  path: string;
  samples: number;
  ownWork?: [number, number][];
  requestCpu?: Record<string, number>;
}

export class AgentCollector extends EventEmitter {
  samples: AgentSample[] = [];
  queries: CapturedQuery[] = [];
  requests: CapturedRequest[] = [];
  /** Items the collector discarded past its cap. */
  readonly dropped = { queries: 0, requests: 0 };
  /** The hello of the connected (or last connected) agent. */
  hello: AgentHello | null = null;
  /** The most recent sample (kept across clearWindow), e.g. for the agent's own drop counters. */
  lastSample: AgentSample | null = null;

  /** How many agents said hello (a correct setup has exactly one per target run). */
  helloCount = 0;

  private agentSocket: Socket | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly pending = new Map<number, PendingCommand>();
  private nextCommandId = 1;
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    readonly socketPath: string,
    private readonly options: CollectorOptions,
  ) {
    super();
    server.on('connection', (socket) => this.accept(socket));
  }

  static async listen(options: CollectorOptions = {}): Promise<AgentCollector> {
    const dir = mkdtempSync(join(tmpdir(), 'perfloop-agent-'));
    const socketPath = join(dir, 'agent.sock');
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (cause) {
      rmSync(dir, { recursive: true, force: true });
      throw new PerfloopError('AGENT_SOCKET', `cannot listen on ${socketPath}: ${String(cause)}`, {
        exitCode: 1,
        cause,
      });
    }
    server.unref(); // a forgotten collector must not keep the CLI alive
    return new AgentCollector(server, dir, socketPath, options);
  }

  /** The compiled agent entry (dist/src/agent/preload.js), next to this file. */
  static preloadUrl(): URL {
    return new URL('./preload.js', import.meta.url);
  }

  /** Env to merge into the target's: the socket path, and NODE_OPTIONS with `--import <agent>` appended. */
  targetEnv(baseNodeOptions: string | undefined = process.env.NODE_OPTIONS): Record<string, string> {
    const preload = AgentCollector.preloadUrl();
    if (!existsSync(fileURLToPath(preload))) {
      throw new PerfloopError(
        'AGENT_MISSING',
        `the perfloop agent is not built: ${fileURLToPath(preload)} is missing`,
        {
          hint: 'run `npm run build` in the perfloop checkout',
          exitCode: 1,
        },
      );
    }
    // A file URL has no spaces (they are %20), so NODE_OPTIONS needs no quoting.
    const importFlag = `--import ${preload.href}`;
    const base = (baseNodeOptions ?? '').trim();
    const env: Record<string, string> = {
      [AGENT_SOCKET_ENV]: this.socketPath,
      NODE_OPTIONS: base.includes(importFlag) ? base : `${base} ${importFlag}`.trim(),
    };
    if (this.options.sampleMs !== undefined) env[AGENT_SAMPLE_MS_ENV] = String(this.options.sampleMs);
    return env;
  }

  get connected(): boolean {
    return this.agentSocket !== null;
  }

  waitForAgent(timeoutMs: number): Promise<{ pid: number }> {
    if (this.agentSocket !== null && this.hello !== null) return Promise.resolve({ pid: this.hello.pid });
    return new Promise((resolve, reject) => {
      const onAgent = (hello: AgentHello) => {
        clearTimeout(timer);
        resolve({ pid: hello.pid });
      };
      const timer = setTimeout(() => {
        this.off('agent', onAgent);
        reject(
          new PerfloopError('AGENT_NOT_CONNECTED', `no perfloop agent connected within ${timeoutMs} ms`, {
            hint:
              'the target must be a Node >= 20 process that inherits NODE_OPTIONS and PERFLOOP_AGENT_SOCKET ' +
              'and opens a TCP listener',
            exitCode: 1,
          }),
        );
      }, timeoutMs);
      this.once('agent', onAgent);
    });
  }

  command<T>(name: string, args: object = {}, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<T> {
    const socket = this.agentSocket;
    if (socket === null) {
      return Promise.reject(
        new PerfloopError('AGENT_NOT_CONNECTED', `cannot run ${name}: no perfloop agent is connected`, {
          exitCode: 1,
        }),
      );
    }
    const id = this.nextCommandId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new PerfloopError('AGENT_TIMEOUT', `agent did not answer ${name} within ${timeoutMs} ms`, {
            exitCode: 1,
          }),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      socket.write(toLine({ type: 'command', id, name, args }));
    });
  }

  async startProfile(samplingIntervalUs = 1000): Promise<void> {
    await this.command('startProfile', { samplingIntervalUs });
  }

  /**
   * `ownWork`: [start, end] µs since the profile's start when the agent was busy with its own work.
   * `requestCpu`: request id → ms to add to the CPU already received for it (stretches that waited for a core,
   * charged their profile samples instead of wall time: agent/sampled-cpu.ts); applied here to `requests`.
   */
  async stopProfile(path: string): Promise<StoppedProfile> {
    const r = await this.command<StoppedProfile>('stopProfile', { path });
    const corrections = r.requestCpu ?? {};
    for (const item of this.requests) {
      const delta = Object.prototype.hasOwnProperty.call(corrections, item.id) ? corrections[item.id] : undefined;
      if (typeof delta === 'number' && typeof item.cpuMs === 'number')
        item.cpuMs = Math.max(0, Math.round((item.cpuMs + delta) * 1000) / 1000);
    }
    return r;
  }

  async startHeapSampling(intervalBytes = 32768): Promise<void> {
    await this.command('startHeapSampling', { samplingIntervalBytes: intervalBytes });
  }

  stopHeapSampling(path: string): Promise<{ path: string }> {
    return this.command('stopHeapSampling', { path });
  }

  /** Heap snapshots of big heaps take long: the timeout is generous. */
  heapSnapshot(path: string): Promise<{ path: string }> {
    return this.command('heapSnapshot', { path }, 10 * DEFAULT_COMMAND_TIMEOUT_MS);
  }

  /**
   * Runs SQL on the database the target itself uses (its PGlite instance or pg pool), inside one transaction
   * that is always rolled back: for EXPLAIN and index-cost checks. Returns each statement's rows.
   */
  dbRollbackRun(statements: string[], timeoutMs = 60_000): Promise<{ driver: string; results: unknown[][] }> {
    return this.command('dbRollbackRun', { statements }, timeoutMs);
  }

  /** Per statement text, the parameter values of its slowest call in the target (for EXPLAIN with real values). */
  slowestParams(): Promise<Record<string, { values: unknown[]; durationMs: number; calls: number }>> {
    return this.command('slowestParams');
  }

  /** Forget the parameter values seen so far (the warm-up's). */
  async clearSlowestParams(): Promise<void> {
    await this.command('clearSlowestParams');
  }

  /** A full GC in the target; resolves with the live heap right after it. */
  gc(): Promise<{ heapUsed: number; t: number }> {
    return this.command<{ heapUsed: number; t: number }>('gc');
  }

  /** Forget everything collected so far (used to drop the warm-up). */
  clearWindow(): void {
    this.samples = [];
    this.queries = [];
    this.requests = [];
    this.dropped.queries = 0;
    this.dropped.requests = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
    this.detach(new PerfloopError('AGENT_DISCONNECTED', 'the collector was closed', { exitCode: 1 }));
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Remove the temp dir first: the server is unref'd, so a process with nothing else to do may
    // exit before the close callback runs.
    rmSync(this.dir, { recursive: true, force: true });
    await serverClosed;
  }

  private accept(socket: Socket): void {
    socket.unref();
    this.sockets.add(socket);
    let isAgent = false;
    const splitter = new NdjsonSplitter((message) => {
      const m = message as AgentMessage;
      if (m?.type === 'hello') {
        this.helloCount++;
        if (this.agentSocket !== null) {
          socket.end(); // a second serving process: its agent shuts itself down
          return;
        }
        isAgent = true;
        this.agentSocket = socket;
        this.hello = m;
        this.emit('agent', m);
      } else if (isAgent) {
        this.receive(m);
      }
    });
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (isAgent) {
        this.detach(
          new PerfloopError('AGENT_DISCONNECTED', 'the perfloop agent disconnected (target exited?)', {
            exitCode: 1,
          }),
        );
        this.emit('disconnect');
      }
    });
  }

  private receive(m: AgentMessage): void {
    switch (m.type) {
      case 'sample': {
        const { t, heapUsed, heapTotal, external, rss, eventLoopDelay, gc, pools, dropped, heapAfterGc } = m;
        const sample: AgentSample = {
          t,
          heapUsed,
          heapTotal,
          external,
          rss,
          eventLoopDelay,
          gc,
          heapAfterGc: heapAfterGc ?? null,
          pools,
          dropped,
        };
        if (this.samples.length < MAX_ITEMS) this.samples.push(sample);
        this.lastSample = sample;
        this.emit('sample', sample);
        break;
      }
      case 'queries':
        this.dropped.queries += append(this.queries, m.items);
        break;
      case 'requests':
        this.dropped.requests += append(this.requests, m.items);
        break;
      case 'reply': {
        const pending = this.pending.get(m.id);
        if (pending === undefined) return;
        this.pending.delete(m.id);
        clearTimeout(pending.timer);
        if (m.ok) pending.resolve(m.result);
        else
          pending.reject(
            new PerfloopError('AGENT_COMMAND_FAILED', `agent command failed: ${m.error}`, { exitCode: 1 }),
          );
        break;
      }
    }
  }

  private detach(reason: Error): void {
    this.agentSocket = null;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(reason);
      this.pending.delete(id);
    }
  }
}

/** Appends up to the cap; returns how many were dropped. */
function append<T>(into: T[], items: T[]): number {
  if (!Array.isArray(items)) return 0;
  const room = Math.max(0, MAX_ITEMS - into.length);
  for (let i = 0; i < Math.min(room, items.length); i++) into.push(items[i]!);
  return Math.max(0, items.length - room);
}
