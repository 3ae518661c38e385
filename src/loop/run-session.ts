import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import type { Profile } from '../core/profile.js';
import { AgentCollector, type AgentSample } from '../agent/collector.js';
import { startTarget, ProcSampler, type RunningTarget, type ProcTreeSample } from '../target/index.js';
import { HostSampler, type HostSample } from '../target/host-sampler.js';
import { runLoad } from '../load/engine.js';
import type { LoadResult } from '../load/result.js';
import { importCpuProfile } from '../profile/import/cpuprofile.js';
import type { MemoryPoint } from '../memory/timeline.js';
import { withoutAgentWork } from './agent-work.js';
import type { RunServiceOptions } from './run-service.js';
import { loadShape, measuredLoadOptions, plannedSeconds, readyCheckOf, steadyLoadOptions } from './run-load.js';
import type { RunRuntime } from '../core/run.js';
import { detectRuntime } from '../target/runtime.js';
import { probeHttpVersion } from '../load/http-version.js';
import type { RuntimeCaptureResult } from '../profile/capture/runtime-capture.js';
import { profilerEnv, RuntimeProfiling } from './runtime-profiling.js';
import { TracemallocSnapshots } from '../profile/capture/tracemalloc.js';

const AGENT_WAIT_MS = 5000;
/** How long the memory phase's load may outlast its planned seconds while snapshots are written (a guard). */
const MEMORY_PHASE_SLACK_S = 300;

/** Everything one run observed, phase by phase. */
export interface RunObservations {
  load: LoadResult | null;
  profile: Profile | null;
  /** Epoch ms of the measured window. */
  measureStart: number;
  measureEnd: number;
  agentSamples: AgentSample[];
  procSamples: ProcTreeSample[];
  hostSamples: HostSample[];
  /** Live heap after forced GCs, from the memory phase. */
  heapProbes: MemoryPoint[];
  snapshotFiles: string[];
  agentConnected: boolean;
  /** Seconds of unmeasured load after the measured window, for snapshots and GC probes. */
  memoryPhaseS: number;
  /** Per statement text, the parameter values of its slowest call in the measured window. */
  realParams: Record<string, { values: unknown[]; durationMs: number; calls: number }>;
  /** The runtime and its profiler (report.json's `runtime`); null without a target command. */
  runtime: RunRuntime | null;
  /** What a non-Node profiler (pprof, JFR, perf, py-spy) captured over the measured window. */
  runtimeCapture: RuntimeCaptureResult | null;
  /** The HTTP version the service answered with (report.json's `http`). */
  http: { version: string } | null;
}

/**
 * One run of a service, as the method's steps: start it (with the agent when it is Node), warm up, measure
 * (load + CPU profile and nothing else), then — only when asked for — a memory phase, then stop.
 *
 * Why a separate memory phase: a heap snapshot stops the service for seconds and a forced GC for tens of
 * milliseconds. Measured through, they put perfloop's own pauses into the service's latency, throughput and
 * event-loop figures, and every table then has to say which seconds it left out (they disagreed). So the
 * measured window has no agent pause at all; snapshots and GC probes run while the same load continues,
 * unrecorded, right after it — the heap still grows under the same traffic, and no number the reports compare
 * includes a second perfloop paused.
 */
export class RunSession {
  readonly warnings: string[] = [];
  private collector: AgentCollector | null = null;
  private target: RunningTarget | null = null;
  private sampler: ProcSampler | null = null;
  private readonly host = new HostSampler(cpus().length);
  private readonly obs: RunObservations = {
    load: null,
    profile: null,
    measureStart: Date.now(),
    measureEnd: Date.now(),
    agentSamples: [],
    procSamples: [],
    hostSamples: [],
    heapProbes: [],
    snapshotFiles: [],
    agentConnected: false,
    memoryPhaseS: 0,
    realParams: {},
    runtime: null,
    runtimeCapture: null,
    http: null,
  };
  private runtimeProfiling: RuntimeProfiling | null = null;
  private tracemalloc: TracemallocSnapshots | null = null;

  constructor(
    private readonly o: RunServiceOptions,
    private readonly runDir: string,
  ) {}

  private log(line: string) {
    this.o.log?.(line);
  }

  private get aborted() {
    return this.o.signal?.aborted ?? false;
  }

  get observations(): RunObservations {
    return this.obs;
  }

  get agent(): AgentCollector | null {
    return this.collector;
  }

  /** Starts the target (when there is a command) with the agent preloaded, and waits until it is ready. */
  async start(): Promise<void> {
    if (!this.o.target) return;
    const profiler = this.o.profiler ?? 'auto';
    const agentWanted = this.o.profile && (profiler === 'auto' || profiler === 'node');
    this.collector = agentWanted ? await AgentCollector.listen() : null;
    this.log(`starting target: ${this.o.target}`);
    this.tracemalloc = this.o.tracemalloc ? new TracemallocSnapshots() : null;
    this.target = await startTarget({
      command: this.o.target,
      cwd: this.o.cwd ?? process.cwd(),
      env: {
        ...(this.o.profile ? profilerEnv(profiler) : {}),
        ...this.o.env,
        ...(this.collector ? this.collector.targetEnv() : {}),
        ...this.tracemalloc?.env(this.o.env?.PYTHONPATH ?? process.env.PYTHONPATH),
      },
      ready: readyCheckOf(this.o),
      readyTimeoutMs: this.o.readyTimeoutMs,
      signal: this.o.signal,
    });
    // Only a Node target can connect the agent: any other runtime gets its own profiler, without the agent's wait.
    const nodeTarget = detectRuntime(this.target.pid).name === 'node';
    if ((this.o.profile || this.tracemalloc) && !nodeTarget) {
      await this.collector?.close();
      this.collector = null;
      await this.prepareRuntimeProfiling();
    }
    if (!this.collector) return;
    try {
      const { pid } = await this.collector.waitForAgent(AGENT_WAIT_MS);
      this.obs.agentConnected = true;
      this.log(`agent connected (pid ${pid})`);
    } catch {
      this.warnings.push(
        'No CPU profile, heap or query capture: the target is not a Node process (or blocks --import), so the perfloop agent did not connect. For a CPU profile of any runtime try `perfloop profile --with perf -- CMD`.',
      );
      await this.collector.close();
      this.collector = null;
    }
  }

  /** A non-Node target: its runtime and the profiler for it (`--profiler`, or chosen by the runtime). */
  private async prepareRuntimeProfiling(): Promise<void> {
    this.runtimeProfiling = await RuntimeProfiling.prepare(this.target!.pid, {
      profiler: this.o.profile ? (this.o.profiler ?? 'auto') : 'none',
      pprofUrl: this.o.pprofUrl,
      tracemalloc: this.tracemalloc ?? undefined,
      serviceOrigin: serviceOrigin(this.o),
      runDir: this.runDir,
      windowS: plannedSeconds(this.o),
      hz: this.o.profilerHz,
      callGraph: this.o.callGraph,
      mmapPages: this.o.perfMmapPages,
      signal: this.o.signal,
      log: (l) => this.log(l),
    });
    const r = this.runtimeProfiling.runtime;
    this.log(`runtime: ${r.name}${r.version ? ` ${r.version}` : ''} (pid ${r.pid}); profiler: ${this.runtimeProfiling.profiler ?? 'none'}`);
  }

  async warmUp(): Promise<void> {
    if (this.o.warmupS <= 0 || this.aborted) return;
    this.log(`warm-up ${this.o.warmupS}s`);
    await runLoad({ ...steadyLoadOptions(this.o, this.o.warmupS), signal: this.o.signal, seed: 7 });
  }

  /** The measured window: the load, the CPU profile, the /proc and host samplers — no agent pauses. */
  async measure(): Promise<void> {
    if (this.aborted) return;
    // At most 1.5 s, so an interrupt during it still stops the run within the 1–2 s every command keeps.
    const probed = await probeHttpVersion(firstUrl(this.o) ?? '', 1500);
    this.obs.http = probed && { version: probed.version };
    this.collector?.clearWindow();
    await this.collector?.clearSlowestParams().catch(() => {});
    if (this.target && !this.target.hasExited()) {
      this.sampler = new ProcSampler(this.target.pid);
      this.sampler.start();
    }
    this.host.start();
    if (this.collector) await this.collector.startProfile(this.o.samplingIntervalUs);
    await this.runtimeProfiling?.start();
    this.obs.measureStart = Date.now();
    this.log(this.o.load ? `load: ${loadShape(this.o.load).description}` : `load: ${this.o.vus} VUs for ${this.o.durationS}s`);
    try {
      this.obs.load = await runLoad({
        ...measuredLoadOptions(this.o),
        signal: this.o.signal,
        onProgress: this.o.onProgress && ((p) => this.o.onProgress!({ ...p, target: this.latestTargetSample() })),
      });
    } finally {
      this.obs.measureEnd = Date.now();
      this.obs.hostSamples = this.host.stop();
    }
    await this.stopProfile();
    await this.stopRuntimeProfile();
    if (this.collector?.connected)
      this.obs.realParams = await this.collector.slowestParams().catch(() => ({}));
    if (this.obs.load?.interrupted)
      this.warnings.push('The run was interrupted: the numbers cover only the part that ran.');
  }

  /** The sampler's newest /proc sample of the target, for the live dashboard. */
  private latestTargetSample(): { cpuPct: number | null; rssMb: number | null } | undefined {
    const last = this.sampler?.samples.at(-1);
    return last ? { cpuPct: last.cpuPct, rssMb: Math.round((last.rssBytes / 1048576) * 10) / 10 } : undefined;
  }

  private async stopProfile(): Promise<void> {
    if (!this.collector?.connected) return;
    const path = join(this.runDir, 'profile.cpuprofile');
    try {
      const { ownWork } = await this.collector.stopProfile(path);
      const raw = importCpuProfile(JSON.parse(readFileSync(path, 'utf8')), 'profile.cpuprofile');
      this.obs.profile = withoutAgentWork(raw, { ownWork });
    } catch (e) {
      this.warnings.push(`No CPU profile: ${(e as Error).message}`);
    }
  }

  private async stopRuntimeProfile(): Promise<void> {
    const rp = this.runtimeProfiling;
    if (!rp) return;
    const result = await rp.stop();
    this.warnings.push(...rp.warnings);
    this.obs.runtimeCapture = result;
    if (result?.profile) this.obs.profile = result.profile;
  }

  /**
   * Heap snapshots and forced-GC probes of the live heap while the same load keeps running, unrecorded. Skipped
   * when neither was asked for.
   *
   * The snapshots are spaced by seconds of load *after* each one is written, not by the wall clock: writing a
   * snapshot pauses the target for seconds (a 140 MB one takes 3–5 s on a busy machine), and a wall-clock schedule
   * let those pauses eat the gaps — three snapshots ran back to back, with no traffic between them, and a leak of
   * thousands of entries showed as ten. The phase therefore lasts its load seconds plus the snapshot pauses.
   */
  async memoryPhase(): Promise<void> {
    const c = this.collector;
    const snapshots = Math.max(0, this.o.heapSnapshots ?? 0);
    const probeS = this.o.gcProbeS ?? 0;
    if (!c?.connected || this.aborted || (snapshots < 2 && !(probeS > 0))) return;
    const seconds = this.o.memoryPhaseS ?? Math.max(10, plannedSeconds(this.o));
    this.log(`memory phase: ${seconds}s of the same load (unmeasured) for ${snapshots >= 2 ? `${snapshots} heap snapshots` : ''}${snapshots >= 2 && probeS > 0 ? ' and ' : ''}${probeS > 0 ? `GC probes every ${probeS}s` : ''}`);
    const phase = new AbortController();
    const signal = this.o.signal ? AbortSignal.any([this.o.signal, phase.signal]) : phase.signal;
    const started = Date.now();
    // Open-ended: stopped below once the last snapshot is written (bounded by the slack as a guard).
    const load = runLoad({ ...steadyLoadOptions(this.o, seconds + MEMORY_PHASE_SLACK_S), signal, seed: 11 });
    let done = false;
    const probes = probeS > 0 ? this.probeLoop(c, probeS, () => done) : Promise.resolve();
    try {
      if (snapshots >= 2) await this.snapshotLoop(c, snapshots, seconds / (snapshots - 1));
      else await sleep(seconds * 1000, this.o.signal);
    } finally {
      done = true;
      phase.abort();
      await Promise.all([load.catch(() => undefined), probes]);
      this.obs.memoryPhaseS = Math.round((Date.now() - started) / 1000);
    }
  }

  private async probeLoop(c: AgentCollector, everyS: number, stop: () => boolean): Promise<void> {
    while (!this.aborted && c.connected && !stop()) {
      await sleep(everyS * 1000, this.o.signal);
      if (this.aborted || !c.connected || stop()) return;
      try {
        const r = await c.gc();
        this.obs.heapProbes.push({ t: r.t, value: r.heapUsed });
      } catch {
        return;
      }
    }
  }

  /** The first snapshot at once, then one after every `gapS` seconds of load. */
  private async snapshotLoop(c: AgentCollector, count: number, gapS: number): Promise<void> {
    for (let k = 0; k < count && !this.aborted && c.connected; k++) {
      if (k > 0) await sleep(gapS * 1000, this.o.signal);
      if (this.aborted) return;
      const path = join(this.runDir, `heap-${this.obs.snapshotFiles.length + 1}.heapsnapshot`);
      try {
        await c.heapSnapshot(path);
        this.obs.snapshotFiles.push(path);
      } catch (e) {
        this.warnings.push(`A heap snapshot failed: ${(e as Error).message}`);
      }
    }
  }

  /** Stops samplers and the target; keeps what the agent collected. Always runs, also after an error. */
  async stop(): Promise<void> {
    await this.runtimeProfiling?.abort();
    if (this.target) this.obs.runtime = this.runtimeProfiling?.describe(this.obs.agentConnected, Math.round(1e6 / this.o.samplingIntervalUs))
      ?? { name: 'node', version: null, profiler: this.obs.agentConnected ? 'node' : null, samplingHz: this.obs.agentConnected ? Math.round(1e6 / this.o.samplingIntervalUs) : null, samplesVsCpu: null };
    this.obs.procSamples = this.sampler?.stop() ?? [];
    this.host.stop();
    this.obs.agentSamples = this.collector ? [...this.collector.samples] : [];
    if (this.target?.hasExited())
      this.warnings.push(
        `The target exited during the run; its last stderr: ${this.target.stderrTail(5).join(' | ') || '(none)'}`,
      );
    if (this.target) {
      this.log('stopping target');
      await this.target.stop();
    }
    this.tracemalloc?.dispose();
  }

  async close(): Promise<void> {
    await this.collector?.close();
  }
}

/** The first URL the load requests (placeholders as `0`), else the readiness URL: where the HTTP version is read. */
function firstUrl(o: RunServiceOptions): string | undefined {
  const url = [o.requests[0]?.url, o.load?.requests?.[0]?.url, o.ready].find((u) => u && /^https?:\/\//.test(u));
  return url?.replace(/\{\{[^}]*\}\}/g, '0');
}

/** The origin of the service's HTTP port: the readiness URL, else the first URL loaded. */
function serviceOrigin(o: RunServiceOptions): string | undefined {
  const url = [o.ready, o.requests[0]?.url, o.load?.requests?.[0]?.url].find((u) => u && /^https?:\/\//.test(u));
  try {
    return url ? new URL(url.replace(/\{\{[^}]*\}\}/g, '0')).origin : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
