/**
 * Shared by the runtimes-*.test.ts files: run `perfloop run`'s service loop (profiler chosen automatically) on one
 * of the test services under test/fixtures/services/, and read the service's own counter of the CPU it spent in its
 * planted hot function over the measured window (the service writes it to $STATS_FILE every 200 ms).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/core/run.js';
import type { Finding } from '../../src/core/finding.js';
import { runService, type RunServiceOptions } from '../../src/loop/run-service.js';
import { freePort } from '../../src/target/free-port.js';
import { startTarget } from '../../src/target/start.js';
import { RuntimeProfiling } from '../../src/loop/runtime-profiling.js';
import { runtimeMemoryFindings } from '../../src/loop/rules/runtime-memory.js';
import type { ProfilerChoice, RuntimeCaptureResult } from '../../src/profile/capture/runtime-capture.js';
import { TracemallocSnapshots } from '../../src/profile/capture/tracemalloc.js';
import { tempDir } from '../helpers.js';

/** Locally a missing toolchain skips the test with this message; in CI (CI=1) it fails instead. */
export function missingTool(...commands: string[]): string | false {
  const missing = commands.filter((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return false;
  if (process.env.CI) throw new Error(`CI must have ${missing.join(', ')} (.ci/run installs it)`);
  return `${missing.join(', ')} not installed`;
}

interface Counter {
  hotCpuNs: number;
  processCpuNs: number;
}

function readCounter(path: string): Counter | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Counter;
  } catch {
    return null;
  }
}

export interface RuntimeRun {
  record: RunRecord;
  outDir: string;
  /** The service's own share of its CPU spent in the hot function over the measured window, in %. */
  counterPct: number;
  topHot: Finding | undefined;
}

/** RSS growth needs 8 s after the trend's 2 s warm-up cut (memory/timeline.ts): 12 s windows for RSS-growth tests. */
export async function runRuntimeService(
  target: (port: number, statsFile: string) => string,
  o: Partial<RunServiceOptions> & { cwd: string; durationS?: number },
): Promise<RuntimeRun> {
  const port = await freePort();
  const out = tempDir('perfloop-runtime-');
  const statsFile = join(out, 'stats.json');
  const base = `http://127.0.0.1:${port}`;
  let atStart = null as Counter | null;
  const { record, outDir } = await runService({
    target: target(port, statsFile),
    env: { PORT: String(port), STATS_FILE: statsFile },
    ready: `${base}/health`,
    readyTimeoutMs: 120_000, // a guard: readiness is the /health answer (the JVM compiles the service first)
    requests: [{ name: 'work', url: `${base}/work` }],
    vus: 4,
    durationS: o.durationS ?? 6,
    warmupS: 1,
    label: 'runtime test',
    outDir: out,
    storePath: null,
    profile: true,
    samplingIntervalUs: 1000,
    command: 'perfloop run (test)',
    // The first progress report comes a second into the measured window: the counter's start.
    onProgress: () => (atStart ??= readCounter(statsFile)),
    ...o,
  });
  const atEnd = readCounter(statsFile);
  if (!atStart || !atEnd || !existsSync(statsFile)) throw new Error(`the service wrote no counter to ${statsFile}`);
  const counterPct = (100 * (atEnd.hotCpuNs - atStart.hotCpuNs)) / (atEnd.processCpuNs - atStart.processCpuNs);
  return { record, outDir, counterPct, topHot: record.findings.find((f) => f.rule === 'cpu.hot-function') };
}

export interface CapturedWindow {
  result: RuntimeCaptureResult;
  findings: Finding[];
  requests: number;
}

/** Closed-loop load: `vus` workers requesting `url` back to back until `ms` have passed; the count answered. */
async function load(url: string, vus: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let answered = 0;
  await Promise.all(
    Array.from({ length: vus }, async () => {
      while (Date.now() < until) {
        const r = await fetch(url);
        await r.arrayBuffer();
        if (r.ok) answered++;
      }
    }),
  );
  return answered;
}

/**
 * The runtime memory rules on evidence captured from a real test service, without the whole run: start the
 * service, warm it up, let the runtime's own profiler (chosen as `perfloop run` chooses it) capture one window of
 * closed-loop load, and apply the rules to what it captured.
 */
export async function captureRuntimeWindow(
  command: string,
  o: { cwd: string; env?: Record<string, string>; windowS?: number; warmupS?: number; vus?: number; tracemalloc?: boolean; profiler?: ProfilerChoice },
): Promise<CapturedWindow> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const windowS = o.windowS ?? 5;
  const tracemalloc = o.tracemalloc ? new TracemallocSnapshots() : undefined;
  const target = await startTarget({
    command,
    cwd: o.cwd,
    env: { PORT: String(port), ...o.env, ...tracemalloc?.env(process.env.PYTHONPATH) },
    ready: { url: `${base}/health` },
    readyTimeoutMs: 120_000,
  });
  try {
    const rp = await RuntimeProfiling.prepare(target.pid, { profiler: o.profiler ?? 'auto', runDir: tempDir('perfloop-window-'), windowS, serviceOrigin: base, tracemalloc });
    await load(`${base}/work`, o.vus ?? 4, (o.warmupS ?? 1) * 1000);
    await rp.start();
    const requests = await load(`${base}/work`, o.vus ?? 4, windowS * 1000);
    const result = await rp.stop();
    if (!result) throw new Error(`no capture of the ${rp.runtime.name} service: ${rp.warnings.join('; ')}`);
    return { result, findings: runtimeMemoryFindings(result.memory, result.sampledAgainstMs ?? null), requests };
  } finally {
    await target.stop();
    tracemalloc?.dispose();
  }
}
