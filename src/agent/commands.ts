import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';

/**
 * The collector's commands, run through an in-process inspector Session (no --inspect port is
 * opened). Artifacts are written by the agent itself so megabytes of profile never cross the socket.
 */
type Args = Record<string, unknown>;
type Handler = (args: Args) => Promise<unknown>;
/** Sees the stopped CPU profile in memory; what it returns is added to stopProfile's result. */
export type ProfileListener = (profile: { startTime: number; endTime: number; timeDeltas?: number[] }) => Args;

export class CommandRunner {
  private session: Session | null = null;
  private readonly handlers: Record<string, Handler>;

  /** `extra`: handlers owned by other parts of the agent (e.g. database plans). */
  constructor(
    extra: Record<string, Handler> = {},
    private readonly onProfileStopped: ProfileListener = () => ({}),
  ) {
    this.handlers = { ...this.builtin, ...extra };
  }

  private readonly builtin: Record<string, Handler> = {
    startProfile: (a) => this.startProfile(a),
    stopProfile: (a) => this.stopProfile(a),
    startHeapSampling: (a) => this.startHeapSampling(a),
    stopHeapSampling: (a) => this.stopHeapSampling(a),
    gc: () => this.gc(),
    heapSnapshot: (a) => this.heapSnapshot(a),
    ping: async () => ({ pid: process.pid }),
  };

  async run(name: string, args: Args = {}): Promise<unknown> {
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, name)
      ? this.handlers[name]
      : undefined;
    if (handler === undefined) throw new Error(`unknown command ${JSON.stringify(name)}`);
    return handler(args);
  }

  close(): void {
    try {
      this.session?.disconnect();
    } catch {
      /* already gone */
    }
    this.session = null;
  }

  private inspector(): Session {
    if (this.session === null) {
      const session = new Session();
      session.connect();
      this.session = session;
    }
    return this.session;
  }

  private async startProfile(args: Args): Promise<null> {
    const interval = positiveInt(args.samplingIntervalUs, 1000, 'samplingIntervalUs');
    const s = this.inspector();
    await s.post('Profiler.enable');
    await s.post('Profiler.setSamplingInterval', { interval });
    await s.post('Profiler.start');
    return null;
  }

  /** Writes exactly what Profiler.stop returns (a .cpuprofile any tool can open). */
  private async stopProfile(
    args: Args,
  ): Promise<{ path: string; samples: number; startTime: number; endTime: number }> {
    const path = requirePath(args);
    const { profile } = await this.inspector().post('Profiler.stop');
    const extra = this.onProfileStopped(profile);
    await writeFile(path, JSON.stringify(profile));
    return {
      ...extra,
      path,
      samples: profile.samples?.length ?? 0,
      startTime: profile.startTime,
      endTime: profile.endTime,
    };
  }

  private async startHeapSampling(args: Args): Promise<null> {
    const samplingInterval = positiveInt(args.samplingIntervalBytes, 32768, 'samplingIntervalBytes');
    const s = this.inspector();
    await s.post('HeapProfiler.enable');
    await s.post('HeapProfiler.startSampling', { samplingInterval });
    return null;
  }

  /** Writes the sampling heap profile ({ head, samples }) as returned by the inspector. */
  private async stopHeapSampling(args: Args): Promise<{ path: string }> {
    const path = requirePath(args);
    const { profile } = await this.inspector().post('HeapProfiler.stopSampling');
    await writeFile(path, JSON.stringify(profile));
    return { path };
  }

  /** A full GC; returns the heap used right after it: the live heap, without garbage. */
  private async gc(): Promise<{ heapUsed: number; t: number }> {
    await this.inspector().post('HeapProfiler.collectGarbage');
    return { heapUsed: getHeapStatistics().used_heap_size, t: Date.now() };
  }

  /** A snapshot after a full GC, so it holds only what is really retained. */
  private async heapSnapshot(args: Args): Promise<{ path: string }> {
    const path = requirePath(args);
    await this.gc();
    return { path: writeHeapSnapshot(path) };
  }
}

function requirePath(args: Args): string {
  if (typeof args.path !== 'string' || args.path === '')
    throw new Error('args.path (a file path) is required');
  return args.path;
}

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer`);
  }
  return value;
}
