import { cpus, platform, release, totalmem } from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import type { Finding } from './finding.js';
import type { PageRunData } from './page-run.js';

/** One measured run, as stored and as written to `report.json` (schema `perfloop/run@1`). Durations in ms. */
export const RUN_SCHEMA = 'perfloop/run@1';

export interface MachineFingerprint {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  nodeVersion: string;
  os: string;
}

/**
 * What load a run applied, as a stable fingerprint (`id`) and a readable description. Runs are compared, logged
 * and gated only within one scenario. The target command is not part of it: changing the service is what an
 * iteration does. `spec` is the canonical definition the id hashes (absent on records older than scenarios).
 */
export interface ScenarioRef {
  id: string;
  description: string;
  /** A short name a budget's `operations` can refer to (a k6 scenario name, or the request names). */
  name?: string;
  spec?: ScenarioSpec;
}

/** The canonical load definition behind a scenario id: host and port left out (they change between runs). */
export interface ScenarioSpec {
  requests: { method: string; path: string; share: number; body: string | null }[];
  /** Executor and its parameters, e.g. `{ executor: 'constant-vus', vus: 20, durationS: 30 }`. */
  load: Record<string, string | number | boolean>;
}

export interface RunInfo {
  id: string;
  label: string;
  startedAt: string;
  durationS: number;
  target: string;
  gitSha: string | null;
  gitBranch: string | null;
  /** The git working tree had uncommitted changes when the run started (iterations often do). */
  gitDirty?: boolean;
  scenario: ScenarioRef;
  machine: MachineFingerprint;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}

export interface RunMetrics {
  http_req_duration: LatencySummary;
  http_reqs: { count: number; rate: number };
  /** `noResponse`: failures without any HTTP response (connection errors, timeouts). */
  http_req_failed: { rate: number; count: number; noResponse: number };
  cpu: { meanPct: number; maxPct: number } | null;
  memory: {
    rssStartMb: number;
    rssEndMb: number;
    rssMaxMb: number;
    heapUsedSlopeMbPerMin: number | null;
  } | null;
  event_loop_delay: { p50: number; p99: number; max: number } | null;
}

/** One second of the load: the unit of the before/after statistics. */
export interface IntervalRecord {
  /** Seconds since the start of the measured window. */
  t: number;
  count: number;
  errors: number;
  /** HdrHistogram compressed base64 of the latencies (µs) completed in this second. */
  histogram: string;
  /** The measurement itself paused the service in this second (a heap snapshot): left out of comparisons. */
  disturbed?: boolean;
  /** The same second per endpoint (request name), when the load mixed several: each fix judged where it acts. */
  endpoints?: Record<string, EndpointInterval>;
}

/** One endpoint's share of a one-second interval. */
export interface EndpointInterval {
  count: number;
  errors: number;
  /** HdrHistogram compressed base64 (µs). */
  histogram: string;
}

export interface EndpointSummary extends LatencySummary {
  name: string;
  errors: number;
  /** Node agent: main-thread ms the endpoint's own code ran per request (its async context's callbacks). */
  cpuMsPerRequest?: number;
  /** Node agent: the endpoint's share (0–100 %) of the CPU time charged to requests in the measured window. */
  cpuShare?: number;
  /** Node agent: how many of the endpoint's requests were timed (the agent times a sample of them: the two figures
   * above are means over these, with a relative error of about CV/√n). */
  cpuTimedRequests?: number;
}

export interface ProfileTopEntry {
  name: string;
  file: string | null;
  line: number | null;
  category: string;
  selfPct: number;
  totalPct: number;
  action: string;
}

/** How the run was measured: the method's "Measurement Method". */
export interface MeasurementMethod {
  /** The perfloop command line that reproduces the run. */
  command: string;
  /** e.g. "constant-vus: 10 VUs for 15 s (after 2 s warm-up), keep-alive HTTP/1.1". */
  load: string;
  vus: number;
  durationS: number;
  warmupS: number;
  /** e.g. "V8 sampling profiler in-process, 1000 µs interval"; null when not profiled. */
  profiler: string | null;
}

/** One point per second of the target's resources over the run (for charts and trends). */
export interface TimelinePoint {
  /** Seconds since the start of the measured window. */
  t: number;
  rssMb: number | null;
  heapUsedMb: number | null;
  /** Heap right after a forced full GC (only with GC probes): the live heap. */
  liveHeapMb: number | null;
  cpuPct: number | null;
  eventLoopP99Ms: number | null;
}

export interface QueryTopEntry {
  fingerprint: string;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  p95Ms: number;
  rows: number;
}

export interface RunRecord {
  schema: typeof RUN_SCHEMA;
  /** What was measured: a service under load (the default when absent), a page in a browser, a job. */
  kind?: 'service' | 'page' | 'job';
  /** A page run's pages (`perfloop page`). */
  page?: PageRunData | null;
  run: RunInfo;
  metrics: RunMetrics;
  endpoints: EndpointSummary[];
  findings: Finding[];
  /** Artifact name → path relative to the report's folder. */
  artifacts: Record<string, string>;
  histograms: { http_req_duration: string };
  intervals: IntervalRecord[];
  profile: { top: ProfileTopEntry[]; categories: { name: string; pct: number }[] } | null;
  /** Targets from a budget, when one was given: metric → max. */
  budget: Record<string, number> | null;
  measurement: MeasurementMethod;
  queries: QueryTopEntry[] | null;
  timeline: TimelinePoint[];
  /** The method's Database Performance Analysis section, when the run saw database work. */
  database?: { markdown: string } | null;
  /** Heap snapshots taken during the load (--heap-snapshots), with the method's comparison tables. */
  heap?: {
    snapshots: { file: string; takenAt: string | null; totalSize: number }[];
    tablesMarkdown: string;
  } | null;
  /** What else the host was doing during the measured window (contention other than target and generator). */
  host?: HostLoad | null;
  /** Resources per unit of work over the measured window, for fair before/after when throughput changed. */
  efficiency?: Efficiency | null;
  /** The load as the method's Test Scenarios table lists it, each success criterion judged from this run. */
  testScenario?: TestScenarioRow | null;
  /** A job run (`perfloop job`): every run of the command, measured. */
  job?: JobRecord | null;
  /** The target's runtime and the profiler that sampled it (absent on records before runtimes were detected). */
  runtime?: RunRuntime | null;
  /** The HTTP version the service answered with (`1.0`, `1.1`, `2`), read from its response before the measured
   * window (load/http-version.ts); absent on records before it was recorded, null when it could not be read. */
  http?: { version: string } | null;
  /** Anything measured that a reader should know is missing or doubtful. */
  warnings: string[];
}

/** One run of a batch job: wall and CPU time of its process tree, peak memory, I/O, exit status. Seconds, MB. */
export interface JobRunMeasurement {
  index: number;
  startedAt: string;
  wallS: number;
  /** CPU time of the whole process tree (user, sys, both); null when the run was killed before it was counted. */
  cpuUserS: number | null;
  cpuSysS: number | null;
  cpuS: number | null;
  /** Wall − CPU: time the job waited (sleep, I/O, locks, the network) rather than computed. */
  offCpuS: number | null;
  peakRssMb: number;
  /** /proc/<pid>/io: bytes passed to read/write calls, and bytes that reached storage. */
  io: {
    readBytes: number | null;
    writeBytes: number | null;
    storageReadBytes: number | null;
    storageWriteBytes: number | null;
  };
  exitCode: number | null;
  signal: string | null;
}

export interface Percentiles {
  p50: number;
  p95: number;
}

/** What `perfloop job` stores: the runs and their distribution (the units of job comparisons are the runs). */
export interface JobRecord {
  /** The job's name: its budget key under `jobs`. */
  name: string;
  command: string[];
  runs: JobRunMeasurement[];
  /** Wall time: percentiles, mean and the mean's confidence interval (Student's t, `ciConfidence`). */
  duration_s: Percentiles & { mean: number; ci: [number, number] | null };
  ciConfidence: number;
  cpu_s: Percentiles | null;
  offCpu_s: Percentiles | null;
  peakRssMb: number;
  /** Index (into `runs`) of the run closest to the median duration: the one profiled and shown. */
  representativeRun: number;
}

/** The capture's self-check: the CPU its samples stand for against what /proc says the service used. */
export interface SamplesVsCpu {
  sampledCpuMs: number;
  procCpuMs: number;
  /** sampled / proc; 1 = every CPU ms was sampled. */
  ratio: number;
  /** Set when they differ by more than 30 %, with the likely reason. */
  warning: string | null;
}

/** `report.json`'s `runtime`: e.g. go go1.19.8, pprof at 100 Hz. */
export interface RunRuntime {
  name: string;
  version: string | null;
  /** node (the agent's V8 profiler), pprof, jfr, py-spy, perf; null when nothing profiled. */
  profiler: string | null;
  samplingHz: number | null;
  samplesVsCpu: SamplesVsCpu | null;
}

/** One row of the method's Test Scenarios table (Scenario, VUs, Duration, Success Criteria), as measured. */
export interface TestScenarioRow {
  /** A preset's name (spike, endurance, …), the script's file name, or the load's executor. */
  scenario: string;
  /** VUs as the method writes them: `50`, `10→100→10`, `200/1s (≤ 50 VUs)`. */
  vus: string;
  /** Planned duration of the measured window, e.g. `3m`. */
  duration: string;
  /** The script's thresholds and the preset's criteria (recovery, leak, drift), each with its evidence. */
  criteria: { name: string; ok: boolean; detail: string }[];
  /** Spike: seconds from the end of the spike until p95 was back to the pre-spike level (null: not in the run). */
  recoveryTimeS?: number | null;
  /** Endurance: relative p95 change from the first to the last tenth of the window. */
  latencyDriftPct?: number | null;
}

/** The host's other work during the measured window; 100 % = one core. */
export interface HostLoad {
  otherCpuPct: number;
  stealPct: number;
  loadAvg1: number;
  /** The generator's own CPU (perfloop's load threads). */
  generatorCpuPct: number;
  intervals: { t: number; otherCpuPct: number; stealPct: number; loadAvg1: number }[];
}

/** CPU and memory per request: a faster service that serves more requests uses more CPU in total. */
export interface Efficiency {
  /** Target CPU time per request (ms), over the measured window. */
  cpuMsPerRequest: number | null;
  /** Peak RSS (MB) per 1,000 req/s of throughput — memory against the work it serves. */
  rssMbPerKRps: number | null;
}

export function machineFingerprint(): MachineFingerprint {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    nodeVersion: process.version,
    os: `${platform()} ${release()}`,
  };
}

/** Sortable, unique, short: time prefix then randomness. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * A stored or read record in today's shape: records written before scenarios were fingerprinted carry the
 * request names as a string; they become a scenario of their own whose id hashes that string.
 */
export function normaliseRecord(record: RunRecord): RunRecord {
  const legacy = record.run.scenario as unknown;
  if (typeof legacy === 'string') {
    const id = createHash('sha256').update(`legacy\u0000${legacy}`).digest('hex').slice(0, 12);
    record.run.scenario = { id, description: legacy || '(unknown load)', name: legacy };
  }
  return record;
}
