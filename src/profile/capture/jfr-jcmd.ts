/**
 * Java services: Java Flight Recorder through the JDK's own tools, for the measured window only —
 * `jcmd PID JFR.start settings=profile` (execution samples every 10 ms per Java thread, allocation samples),
 * `JFR.dump` + `JFR.stop` at its end, read by the jfr importer (`jfr print --json`). Class histograms
 * (`jcmd PID GC.class_histogram`: live objects per class, after a full GC) at the window's start and end name what
 * grew by class. GC pauses come from the recording's jdk.GarbageCollection events.
 * https://docs.oracle.com/en/java/javase/17/docs/specs/man/jcmd.html
 *
 * JFR samples Java threads only, and only while they run Java code: the shares are of that CPU, and the JIT
 * compiler and GC threads' CPU is read from /proc/PID/task beside them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { threadIds } from '../../target/proc-tree.js';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { kernelConstants } from '../../target/proc-stat.js';
import { findJfrTool, importJfr, javaTypeName } from '../import/jfr.js';
import { fileSource } from '../import/source.js';
import { emptyResult, type CaptureContext, type GrowthRow, type RuntimeCaptureResult, type WindowCapture } from './runtime-capture.js';

const run = promisify(execFile);
/** settings=profile samples Java threads every 10 ms (JDK 17's profile.jfc, jdk.ExecutionSample period). */
const JFR_PROFILE_PERIOD_MS = 10;
const RECORDING = 'perfloop';

function jdkTool(javaExe: string, tool: 'jcmd' | 'jfr'): string {
  const beside = join(dirname(javaExe), tool);
  if (existsSync(beside)) return beside;
  return tool === 'jfr' ? (findJfrTool() ?? 'jfr') : 'jcmd';
}

async function jcmd(javaExe: string, pid: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(jdkTool(javaExe, 'jcmd'), [String(pid), ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return stdout;
}

/** `GC.class_histogram` rows: `   1:   4290   1180224  [B (java.base@17.0.15)` → class → instances, bytes. */
export function parseClassHistogram(text: string): Map<string, { count: number; bytes: number }> {
  const out = new Map<string, { count: number; bytes: number }>();
  // Array classes in their JVM form (`[J`, `[Ljava.lang.String;`) are named as Java writes them (long[], String[]).
  for (const m of text.matchAll(/^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/gm)) out.set(m[3].startsWith('[') ? javaTypeName(m[3]) : m[3], { count: Number(m[1]), bytes: Number(m[2]) });
  return out;
}

export function histogramGrowth(
  before: Map<string, { count: number; bytes: number }>,
  after: Map<string, { count: number; bytes: number }>,
): GrowthRow[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .map((name) => ({
      name,
      bytesBefore: before.get(name)?.bytes ?? 0,
      bytesAfter: after.get(name)?.bytes ?? 0,
      countBefore: before.get(name)?.count ?? 0,
      countAfter: after.get(name)?.count ?? 0,
    }))
    .sort((a, b) => b.bytesAfter - b.bytesBefore - (a.bytesAfter - a.bytesBefore));
}

/** The JVM's own threads by their kernel names (HotSpot names them; Java threads carry the application's names). */
function threadGroup(comm: string): 'jit' | 'gc' | 'java' {
  if (/^(C[12] CompilerThre|Compiler|Sweeper)/.test(comm)) return 'jit';
  if (/^(GC Thread|G1 |VM Thread|VM Periodic|ZGC|Z[A-Z]|Shenandoah|PS |Parallel GC|GC task)/.test(comm)) return 'gc';
  return 'java';
}

/** CPU ms per thread group of a JVM, from /proc/PID/task/<tid>/stat. */
function threadCpu(pid: number): Record<'jit' | 'gc' | 'java', number> {
  const out = { jit: 0, gc: 0, java: 0 };
  const tick = 1000 / kernelConstants().clockTicksPerSecond;
  for (const tid of threadIds(pid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      out[threadGroup(comm)] += (Number(f[11]) + Number(f[12])) * tick;
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

/** ISO-8601 durations as `jfr print --json` writes them (`PT0.0021S`, `PT1M2.5S`) → ms. */
function isoMs(text: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(text);
  return m ? ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000 : 0;
}

export class JfrJcmdCapture implements WindowCapture {
  readonly profiler = 'jfr' as const;
  private histogramBefore: Map<string, { count: number; bytes: number }> | null = null;
  private cpuBefore = { jit: 0, gc: 0, java: 0 };
  private startedAt = 0;
  private started = false;
  private readonly warnings: string[] = [];

  constructor(private readonly ctx: CaptureContext) {}

  private get exe() {
    return this.ctx.runtime.exe;
  }

  async start(): Promise<void> {
    const pid = this.ctx.runtime.pid;
    try {
      this.histogramBefore = parseClassHistogram(await jcmd(this.exe, pid, 'GC.class_histogram'));
    } catch (e) {
      this.warnings.push(`No class histogram at the window's start: ${(e as Error).message.split('\n')[0]}`);
    }
    await jcmd(this.exe, pid, 'JFR.start', `name=${RECORDING}`, 'settings=profile');
    this.started = true;
    this.cpuBefore = threadCpu(pid);
    this.startedAt = Date.now();
    this.ctx.log?.(`jfr: recording pid ${pid} (JFR.start settings=profile)`);
  }

  async stop(): Promise<RuntimeCaptureResult> {
    const pid = this.ctx.runtime.pid;
    const result = emptyResult('jfr', `Java Flight Recorder (jcmd JFR.start settings=profile), execution samples every ${JFR_PROFILE_PERIOD_MS} ms per Java thread`);
    result.samplingHz = 1000 / JFR_PROFILE_PERIOD_MS;
    result.warnings.push(...this.warnings);
    const windowS = (Date.now() - this.startedAt) / 1000;
    const cpuAfter = threadCpu(pid);
    const cpu = { jit: cpuAfter.jit - this.cpuBefore.jit, gc: cpuAfter.gc - this.cpuBefore.gc, java: cpuAfter.java - this.cpuBefore.java };
    const file = join(this.ctx.runDir, 'recording.jfr');
    try {
      await jcmd(this.exe, pid, 'JFR.dump', `name=${RECORDING}`, `filename=${file}`);
      await jcmd(this.exe, pid, 'JFR.stop', `name=${RECORDING}`).catch(() => '');
      this.started = false;
      result.artifacts.profile = 'recording.jfr';
      const profile = await importJfr(fileSource(file), { sampleType: 'cpu', signal: this.ctx.signal });
      result.profile = profile;
      result.sampledCpuMs = profile.sampleCount * JFR_PROFILE_PERIOD_MS;
      result.sampledAgainstMs = cpu.java;
      result.coverage = `Java threads only, while in Java code (JFR samples no native threads or native calls): shares are of that CPU; the Java threads used ${Math.round(cpu.java)} ms; beside them the JIT compiler threads used ${Math.round(cpu.jit)} ms and GC/VM threads ${Math.round(cpu.gc)} ms of CPU (/proc)`;
      result.memory.gcPauses = { ...(await gcPauses(jdkTool(this.exe, 'jfr'), file)), windowS, cpuMs: Math.round(cpu.gc) };
    } catch (e) {
      result.warnings.push(`No JFR profile: ${(e as Error).message.split('\n')[0]}`);
    }
    try {
      const after = parseClassHistogram(await jcmd(this.exe, pid, 'GC.class_histogram'));
      if (this.histogramBefore)
        result.memory.growth = { by: 'class', source: "jcmd GC.class_histogram (live objects) at the window's start and end", windowS, rows: histogramGrowth(this.histogramBefore, after) };
    } catch (e) {
      result.warnings.push(`No class histogram at the window's end: ${(e as Error).message.split('\n')[0]}`);
    }
    return result;
  }

  async abort(): Promise<void> {
    if (this.started) await jcmd(this.exe, this.ctx.runtime.pid, 'JFR.stop', `name=${RECORDING}`).catch(() => '');
  }
}

async function gcPauses(jfrTool: string, file: string): Promise<{ count: number; totalMs: number; maxMs: number }> {
  const { stdout } = await run(jfrTool, ['print', '--json', '--events', 'jdk.GarbageCollection', file], { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  let count = 0;
  let totalMs = 0;
  let maxMs = 0;
  for (const m of stdout.matchAll(/"sumOfPauses"\s*:\s*"([^"]+)"/g)) {
    const ms = isoMs(m[1]);
    count++;
    totalMs += ms;
    maxMs = Math.max(maxMs, ms);
  }
  return { count, totalMs: Math.round(totalMs * 10) / 10, maxMs: Math.round(maxMs * 10) / 10 };
}
