/**
 * The contract of a profiler that `perfloop run` attaches to a running target of any runtime for the measured
 * window only: `start` when the window opens, `stop` when it closes. Each profiler is one file (pprof-http.ts,
 * jfr-jcmd.ts, perf-attach.ts, py-spy-attach.ts) registered in capture-registry.ts.
 */
import { ProfileBuilder, type Profile } from '../../core/profile.js';
import type { RuntimeInfo } from '../../target/runtime.js';

export type ProfilerName = 'node' | 'pprof' | 'jfr' | 'py-spy' | 'perf' | 'none';
export const PROFILER_NAMES: readonly ProfilerName[] = ['node', 'pprof', 'jfr', 'py-spy', 'perf', 'none'];
export type ProfilerChoice = ProfilerName | 'auto';

export interface CaptureContext {
  runtime: RuntimeInfo;
  /** Where the capture keeps its files (the run's folder). */
  runDir: string;
  /** Planned seconds of the measured window. */
  windowS: number;
  /** Origin of the service's HTTP port (from the readiness check or the first URL), for pprof discovery. */
  serviceOrigin?: string;
  /** `--pprof URL`: the base of the service's net/http/pprof handlers. */
  pprofUrl?: string;
  /** Samples per second asked for (each profiler has its own default). */
  hz?: number;
  /** perf only: how stacks are unwound; fp (frame pointers, the default) or dwarf. */
  callGraph?: 'fp' | 'dwarf';
  /** perf only: ring-buffer pages (`perf record -m`); small buffers lose samples on a busy machine. */
  mmapPages?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** One allocation site (Go heap profile), class (JVM class histogram) or line (Python tracemalloc) at the window's start and end. */
export interface GrowthRow {
  name: string;
  bytesBefore: number;
  bytesAfter: number;
  countBefore: number;
  countAfter: number;
}

export interface RuntimeMemoryEvidence {
  /** What grew, by allocating function (Go), by class (Java) or by allocating file:line (Python tracemalloc), largest growth first. */
  growth?: { by: 'allocating function' | 'class' | 'allocating line'; source: string; windowS: number; rows: GrowthRow[] };
  /** Goroutine counts at the window's start and end, with the counts read about every second between them. */
  goroutines?: { start: number; end: number; windowS: number; series?: number[] };
  /** Stop-the-world pauses in the window (JFR's jdk.GarbageCollection). */
  gcPauses?: { count: number; totalMs: number; maxMs: number; windowS: number; cpuMs?: number };
}

export interface RuntimeCaptureResult {
  profiler: ProfilerName;
  profile: Profile | null;
  /** The profile's file in the run folder (artifact name → file name). */
  artifacts: Record<string, string>;
  samplingHz: number | null;
  /** CPU time the samples stand for (samples × interval, or the profile's own CPU ns), for the samples-vs-CPU check. */
  sampledCpuMs: number | null;
  /** The CPU ms the samples should match, when not the service process's whole /proc CPU (JFR: Java threads'). */
  sampledAgainstMs?: number;
  /** Which threads/processes the samples cover, when not all of the target's CPU (JFR: Java threads only). */
  coverage?: string;
  /** e.g. "perf -F 499 -g (frame pointers), cpu-clock". */
  description: string;
  memory: RuntimeMemoryEvidence;
  warnings: string[];
}

export interface WindowCapture {
  readonly profiler: ProfilerName;
  /** Begins recording; resolves once the profiler records (so the window's load is covered). */
  start(): Promise<void>;
  /** Ends recording and imports what it recorded. */
  stop(): Promise<RuntimeCaptureResult>;
  /** Stops everything the capture started (after an error or interruption); never throws. */
  abort(): Promise<void>;
}

export function emptyResult(profiler: ProfilerName, description: string): RuntimeCaptureResult {
  return { profiler, profile: null, artifacts: {}, samplingHz: null, sampledCpuMs: null, description, memory: {}, warnings: [] };
}

/**
 * Weight per allocating function of an allocation profile: the innermost frame that is not the runtime's own
 * allocator (`runtime.mallocgc`, `runtime.makeslice` …), with sample counts beside bytes when the caller gives them.
 */
export function weightByAllocatingFunction(
  profile: Profile,
  isRuntimeFrame: (name: string) => boolean,
): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < profile.sampleCount; i++) {
    const w = profile.sampleWeight[i];
    if (w === 0) continue;
    let name = '(unknown)';
    for (let n = profile.sampleNode[i]; n >= 0; n = profile.nodeParent[n]) {
      const f = profile.frameOf(n);
      if (f.kind === 'root') continue;
      if (!isRuntimeFrame(f.name)) {
        name = f.name;
        break;
      }
    }
    out.set(name, (out.get(name) ?? 0) + w);
  }
  return out;
}

/**
 * One sample per profiler tick: pprof aggregates equal stacks into one sample with a count, and the evidence floors
 * (100 samples before a rule speaks) count samples — 130 ticks in 9 distinct stacks are 130 samples, not 9.
 */
export function oneSamplePerTick(p: Profile, tickWeight: number): Profile {
  const b = new ProfileBuilder({ ...p.meta }, p.unit);
  const ids = p.frames.map((f) => b.frame(f));
  for (let i = 0; i < p.sampleCount; i++) {
    const node = b.stack(p.stackOf(p.sampleNode[i]).map((f) => ids[f]));
    const w = p.sampleWeight[i];
    const ticks = Math.max(1, Math.round(w / tickWeight));
    for (let k = 0; k < ticks; k++) b.sample(node, w / ticks);
  }
  return b.build();
}
