/**
 * Profiling a target that the Node agent cannot profile (Go, Java, Python, native): which runtime it is, which
 * profiler fits (capture-registry.ts), that profiler over the measured window only, and the capture's self-check —
 * the CPU its samples stand for against the CPU /proc says the service used.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcStat, kernelConstants } from '../target/proc-stat.js';
import { detectRuntime, type RuntimeInfo } from '../target/runtime.js';
import { chooseCapture, pythonHint } from '../profile/capture/capture-registry.js';
import { emptyResult, type ProfilerChoice, type RuntimeCaptureResult, type WindowCapture } from '../profile/capture/runtime-capture.js';
import { tracemallocGrowth, type TracemallocSnapshot, type TracemallocSnapshots } from '../profile/capture/tracemalloc.js';
import type { RunRuntime, SamplesVsCpu } from '../core/run.js';

/** Samples and /proc CPU may differ this much (a fraction) before the capture warns. */
const SAMPLES_VS_CPU_TOLERANCE = 0.3;

export interface RuntimeProfilingOptions {
  profiler: ProfilerChoice;
  pprofUrl?: string;
  serviceOrigin?: string;
  runDir: string;
  windowS: number;
  hz?: number;
  callGraph?: 'fp' | 'dwarf';
  mmapPages?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** `--tracemalloc`: the snapshots a Python target was started for (its env came from `tracemalloc.env`). */
  tracemalloc?: TracemallocSnapshots;
}

/** The environment a target gets so that the profilers that need a start-time switch work (Python 3.12's perf maps). */
export function profilerEnv(choice: ProfilerChoice): Record<string, string> {
  return choice === 'auto' || choice === 'perf' ? { PYTHONPERFSUPPORT: '1' } : {};
}

export class RuntimeProfiling {
  private capture: WindowCapture | null = null;
  private cpuTicksAtStart: number | null = null;
  private tracemallocAtStart: TracemallocSnapshot | null = null;
  private windowStartedAt = 0;
  readonly warnings: string[] = [];

  private constructor(
    readonly runtime: RuntimeInfo,
    private readonly o: RuntimeProfilingOptions,
  ) {}

  /** Detects the runtime of the started target (root pid of its tree) and picks its profiler. */
  static async prepare(rootPid: number, o: RuntimeProfilingOptions): Promise<RuntimeProfiling> {
    const runtime = detectRuntime(rootPid);
    const p = new RuntimeProfiling(runtime, o);
    if (o.profiler === 'none' || (o.profiler === 'node' && runtime.name !== 'node')) return p;
    const { capture, notes } = await chooseCapture(o.profiler, {
      runtime,
      runDir: o.runDir,
      windowS: o.windowS,
      serviceOrigin: o.serviceOrigin,
      pprofUrl: o.pprofUrl,
      hz: o.hz,
      callGraph: o.callGraph,
      mmapPages: o.mmapPages,
      signal: o.signal,
      log: o.log,
    });
    p.capture = capture;
    if (runtime.name !== 'node' && !capture)
      p.warnings.push(`No CPU profile of this ${runtime.name} service: ${notes.join('; ') || 'no profiler fits'}.`);
    else if (capture && notes.length > 0) o.log?.(`profiler ${capture.profiler} (${notes.join('; ')})`);
    return p;
  }

  get profiler(): string | null {
    return this.capture?.profiler ?? null;
  }

  /** Starts the profiler; the window's load starts after this resolves. */
  async start(): Promise<void> {
    await this.startTracemalloc();
    if (!this.capture) return;
    try {
      await this.capture.start();
      this.cpuTicksAtStart = readProcStat(this.runtime.pid)?.ownTicks ?? null;
    } catch (e) {
      this.warnings.push(`No CPU profile: ${this.capture.profiler} did not start (${(e as Error).message})`);
      await this.capture.abort();
      this.capture = null;
    }
  }

  /** Stops the profiler and checks its samples against /proc. */
  async stop(): Promise<RuntimeCaptureResult | null> {
    const windowS = (Date.now() - this.windowStartedAt) / 1000;
    const result = await this.stopCapture();
    await this.stopTracemalloc(result, windowS);
    return this.result;
  }

  private async startTracemalloc(): Promise<void> {
    this.windowStartedAt = Date.now();
    const tm = this.o.tracemalloc;
    if (!tm) return;
    if (this.runtime.name !== 'python') {
      this.warnings.push(`--tracemalloc is for Python targets; this one is ${this.runtime.name}.`);
      return;
    }
    this.tracemallocAtStart = await tm.take('start', this.o.signal);
    if (!this.tracemallocAtStart)
      this.warnings.push("No tracemalloc snapshot: the service did not answer (is it started without -I, -E or -S, so that Python reads PYTHONPATH's sitecustomize?).");
    else this.o.log?.(`tracemalloc: ${Math.round(this.tracemallocAtStart.tracedBytes / 1048576)} MB traced at the window's start`);
  }

  /** The end snapshot, and the growth by allocating line into the result's memory evidence (a result of its own without a CPU profiler). */
  private async stopTracemalloc(result: RuntimeCaptureResult | null, windowS: number): Promise<void> {
    const tm = this.o.tracemalloc;
    if (!tm || !this.tracemallocAtStart) return;
    const end = await tm.take('end', this.o.signal);
    if (!end) {
      this.warnings.push("No tracemalloc snapshot at the window's end: the service did not answer in time.");
      return;
    }
    const r = result ?? (this.result = emptyResult('none', 'tracemalloc only'));
    writeFileSync(join(this.o.runDir, 'tracemalloc.json'), JSON.stringify({ start: this.tracemallocAtStart, end }));
    r.artifacts.tracemalloc = 'tracemalloc.json';
    r.memory.growth = { by: 'allocating line', source: tm.source, windowS, rows: tracemallocGrowth(this.tracemallocAtStart, end) };
    this.warnings.push('tracemalloc was on (--tracemalloc): every allocation recorded its line, so allocation-heavy code ran slower than it does without it — compare latency and CPU with a run without the flag.');
  }

  private async stopCapture(): Promise<RuntimeCaptureResult | null> {
    if (!this.capture) return null;
    const ticks = readProcStat(this.runtime.pid)?.ownTicks ?? null;
    const result = await this.capture.stop();
    this.warnings.push(...result.warnings);
    const procCpuMs =
      ticks !== null && this.cpuTicksAtStart !== null ? ((ticks - this.cpuTicksAtStart) * 1000) / kernelConstants().clockTicksPerSecond : null;
    this.samplesVsCpu = samplesVsCpu(result, procCpuMs);
    if (this.samplesVsCpu?.warning) this.warnings.push(this.samplesVsCpu.warning);
    if (result.coverage) this.warnings.push(`CPU profile covers ${result.coverage}.`);
    if (this.runtime.name === 'python' && result.profiler === 'perf') {
      const hint = pythonHint(this.runtime.version);
      if (hint) this.warnings.push(hint);
    }
    this.result = result;
    return result;
  }

  samplesVsCpu: SamplesVsCpu | null = null;
  result: RuntimeCaptureResult | null = null;

  async abort(): Promise<void> {
    await this.capture?.abort();
  }

  /** report.json's `runtime`. */
  describe(agentConnected: boolean, nodeHz: number): RunRuntime {
    if (agentConnected || this.runtime.name === 'node')
      return { name: 'node', version: this.runtime.version, profiler: agentConnected ? 'node' : null, samplingHz: agentConnected ? nodeHz : null, samplesVsCpu: null };
    return {
      name: this.runtime.name,
      version: this.runtime.version,
      profiler: this.result?.profile ? this.result.profiler : null,
      samplingHz: this.result?.profile ? this.result.samplingHz : null,
      samplesVsCpu: this.samplesVsCpu,
    };
  }
}

export function samplesVsCpu(r: RuntimeCaptureResult, procCpuMs: number | null): SamplesVsCpu | null {
  // No samples at all while the service used CPU is the extreme of undersampling, not "no check".
  if ((!r.profile && r.sampledCpuMs !== 0) || r.sampledCpuMs === null) return null;
  const cpuMs = r.sampledAgainstMs ?? procCpuMs;
  if (cpuMs === null || cpuMs <= 0) return null;
  const ratio = Math.round((r.sampledCpuMs / cpuMs) * 100) / 100;
  const sampled = Math.round(r.sampledCpuMs);
  const cpu = Math.round(cpuMs);
  const what = r.sampledAgainstMs !== undefined ? 'its Java threads' : 'the service';
  let warning: string | null = null;
  if (ratio < 1 - SAMPLES_VS_CPU_TOLERANCE)
    warning = `The ${r.profiler} profile undersamples: ${r.profile?.sampleCount ?? 0} samples at ${r.samplingHz} Hz stand for ${sampled} ms of CPU, but ${what} used ${cpu} ms (/proc) — ${Math.round(ratio * 100)} %. Likely: ${UNDER_REASON[r.profiler] ?? 'samples were dropped'}. Shares are still fair if the loss is even; absolute ms are not.`;
  else if (ratio > 1 + SAMPLES_VS_CPU_TOLERANCE)
    warning = `The ${r.profiler} profile has more samples than CPU: ${sampled} ms sampled, ${cpu} ms of CPU used (/proc) — ${Math.round(ratio * 100)} %. Likely: threads were sampled while runnable but waiting for a core (the host is busy), so waiting counts as work.`;
  return { sampledCpuMs: sampled, procCpuMs: cpu, ratio, warning };
}

const UNDER_REASON: Record<string, string> = {
  perf: "perf lost samples (ring buffer overflow on a busy machine, a high -F or DWARF stacks) or the kernel throttled the rate (kernel.perf_event_max_sample_rate); CPU in threads or children perf did not attach to",
  pprof: "Go's profiler missed SIGPROF ticks (a busy host delays signals) or CPU outside Go code (cgo, the kernel)",
  jfr: 'JFR samples a limited number of threads per period and none in native code',
  'py-spy': 'py-spy fell behind (--nonblocking reads race the interpreter) or CPU in native threads',
};
