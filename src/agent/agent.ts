import { AgentChannel } from './channel.js';
import { CommandRunner } from './commands.js';
import { DriverPatcher } from './drivers.js';
import { DbHandles } from './db-handles.js';
import { PoolRegistry } from './pool-registry.js';
import { AGENT_REQUEST_CPU_ENV, type AgentMessage, type CommandMessage } from './protocol.js';
import { QueryRecorder } from './query-recorder.js';
import { RequestTracker } from './request-context.js';
import { AGENT_DUTY_CYCLE } from './request-cpu.js';
import { RuntimeSampler } from './runtime-sampler.js';
import { hrtimeOffsetMs } from './sampled-cpu.js';

/** Commands that are the agent's own blocking work, kept out of the service's event-loop and GC figures. */
const OWN_WORK = new Set(['gc', 'heapSnapshot', 'stopProfile', 'stopHeapSampling']);

/** Items per queries/requests message, so one flush never becomes one giant line. */
const BATCH = 5000;

/**
 * The agent inside the serving process: on start it hooks requests, patches the drivers the target
 * loaded, connects to the collector, says hello, then every `sampleMs` flushes captured
 * queries/requests and sends a sample. When the collector goes away everything is switched off
 * and the service carries on untouched.
 */
export class Agent {
  private readonly recorder = new QueryRecorder();
  private readonly requests = new RequestTracker();
  private readonly pools = new PoolRegistry();
  private readonly sampler = new RuntimeSampler();
  private readonly dbHandles = new DbHandles();
  private readonly drivers = new DriverPatcher(this.recorder, this.pools, this.dbHandles);
  private readonly commands = new CommandRunner(
    {
      dbRollbackRun: (a) => this.dbHandles.rollbackRun(a.statements as string[], this.recorder),
      slowestParams: async () => this.recorder.slowestParams.snapshot(),
      clearSlowestParams: async () => (this.recorder.slowestParams.clear(), null),
    },
    // Before the reply: requests not sent yet are corrected here, the reply carries the others' corrections.
    (profile) => ({ requestCpu: this.requests.applySampledCpu(profile, hrtimeOffsetMs()) }),
  );
  private readonly channel: AgentChannel;
  private timer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(
    socketPath: string,
    private readonly sampleMs: number,
  ) {
    this.pools.onPool = (pool) => this.dbHandles.notePgPool(pool);
    this.channel = new AgentChannel(
      socketPath,
      (command) => this.onCommand(command),
      () => this.shutDown(),
    );
  }

  /** Idempotent; never throws, never rejects. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      this.requests.install();
      this.sampler.start();
      const [connected] = await Promise.all([this.channel.connect(), this.drivers.install()]);
      if (!connected) return this.shutDown();
      this.channel.send(
        {
          type: 'hello',
          pid: process.pid,
          ppid: process.ppid,
          argv: process.argv,
          nodeVersion: process.version,
          startedAt: Math.round(Date.now() - process.uptime() * 1000),
          drivers: [...this.drivers.patched],
        },
        true,
      );
      this.timer = setInterval(() => this.tick(), this.sampleMs);
      this.timer.unref();
    } catch {
      this.shutDown();
    }
  }

  private tick(): void {
    try {
      this.drivers.poll();
      this.sendBatches('queries', this.recorder.drain());
      this.sendBatches('requests', this.requests.drain());
      this.channel.send({
        type: 'sample',
        ...this.sampler.take(),
        pools: this.pools.read(),
        dropped: {
          queries: this.recorder.dropped,
          requests: this.requests.dropped,
          messages: this.channel.dropped,
        },
      });
    } catch {
      /* a failed sample is a missing sample, nothing more */
    }
  }

  private sendBatches(type: 'queries' | 'requests', items: unknown[]): void {
    for (let i = 0; i < items.length; i += BATCH) {
      this.channel.send({ type, items: items.slice(i, i + BATCH) } as AgentMessage);
    }
  }

  private onCommand(command: CommandMessage): void {
    const reply = (message: AgentMessage) => this.channel.send(message, true);
    this.requestCpu(command);
    const run = () => this.commands.run(command.name, command.args ?? {});
    (OWN_WORK.has(command.name) ? this.sampler.ownWork(run) : run())
      .then((result) => this.withOwnWork(command.name, result))
      .then(
        (result) => reply({ type: 'reply', id: command.id, ok: true, result: result ?? null }),
        (error: unknown) =>
          reply({
            type: 'reply',
            id: command.id,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
  }

  /** CPU per request is charged while the CPU profile runs: the measured window, nothing else. */
  private requestCpu({ name, args }: CommandMessage): void {
    try {
      const mode = process.env[AGENT_REQUEST_CPU_ENV];
      if (name === 'startProfile' && mode !== '0') {
        const us = Number(args?.samplingIntervalUs);
        this.requests.cpu.enable(
          Number.isFinite(us) && us > 0 ? us / 1000 : 1,
          mode === 'all' ? null : AGENT_DUTY_CYCLE,
        );
      }
      if (name === 'stopProfile') this.requests.cpu.disable();
    } catch {
      /* bookkeeping only */
    }
  }

  /** A stopped CPU profile comes back with the windows of the agent's own work, to be left out. */
  private withOwnWork(name: string, result: unknown): unknown {
    if (name !== 'stopProfile') return result;
    const r = result as { startTime: number; endTime: number };
    return { ...r, ownWork: this.sampler.ownWorkWithin(r.startTime, r.endTime) };
  }

  private shutDown(): void {
    try {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.recorder.enabled = false;
      this.requests.enabled = false;
      this.requests.cpu.disable();
      this.recorder.drain();
      this.requests.drain();
      this.sampler.stop();
      this.commands.close();
      this.channel.close();
    } catch {
      /* best effort */
    }
  }
}
