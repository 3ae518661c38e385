/**
 * Native services (Rust, C, C++, Go without pprof) and Python without py-spy: `perf record` attached to the running
 * service (`-p PID`) for the measured window, on the cpu-clock software event (works without hardware counters, in
 * containers too), then `perf script` for the perf-script importer (which demangles Rust and C++ names).
 *
 * Unwinding: frame pointers (`-g`) by default — cheap, but only complete for code built with them
 * (Rust: RUSTFLAGS="-C force-frame-pointers=yes"; C/C++: -fno-omit-frame-pointer; Go keeps them always). The leaf
 * function, and so every self-time figure, is right either way; `callGraph: 'dwarf'` unwinds from copied stacks
 * instead (needs unwind tables — .eh_frame is in every x86-64 binary — and costs more: 8 KiB per sample). Python
 * targets get DWARF (see the constructor).
 *
 * Python 3.12+ started with PYTHONPERFSUPPORT=1 (perfloop sets it) writes perf maps for its functions; their
 * interpreter frames are then charged to the Python function (python-frames.ts).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { threadIds } from '../../target/proc-tree.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPerfScript } from '../import/perf-script.js';
import { fileSource } from '../import/source.js';
import { toolInstalled } from './external.js';
import { spawnGroup, type GroupProcess } from './process-group.js';
import { foldPythonTrampolines, hasPythonTrampolines, inlinedIntoTheirBinary } from './python-frames.js';
import { emptyResult, type CaptureContext, type RuntimeCaptureResult, type WindowCapture } from './runtime-capture.js';

const DEFAULT_HZ = 499;
/** DWARF samples copy 8 KiB of stack each: a lower default rate keeps perf.data and `perf script` small. */
const DEFAULT_DWARF_HZ = 199;
const READY_TIMEOUT_MS = 5000;

export function perfAvailable(): boolean {
  return toolInstalled('perf');
}

export class PerfAttachCapture implements WindowCapture {
  readonly profiler = 'perf' as const;
  private readonly dir = mkdtempSync(join(tmpdir(), 'perfloop-perf-'));
  private readonly data = join(this.dir, 'perf.data');
  private proc: GroupProcess | null = null;
  private stderr = '';
  private readonly hz: number;
  private readonly callGraph: 'fp' | 'dwarf';
  private readonly linkedMaps: string[] = [];

  constructor(private readonly ctx: CaptureContext) {
    // CPython builds (pyenv's, most distributions') omit frame pointers: frame-pointer stacks stop at the first
    // interpreter frame, before the perf trampoline's Python function; DWARF unwinds the interpreter to it.
    this.callGraph = ctx.callGraph ?? (ctx.runtime.name === 'python' ? 'dwarf' : 'fp');
    this.hz = ctx.hz ?? (this.callGraph === 'dwarf' ? DEFAULT_DWARF_HZ : DEFAULT_HZ);
  }

  private get unwinding(): string {
    return this.callGraph === 'dwarf' ? 'DWARF unwinding' : 'frame pointers';
  }

  async start(): Promise<void> {
    const args = ['record', '-e', 'cpu-clock', '-F', String(this.hz), ...(this.callGraph === 'dwarf' ? ['--call-graph', 'dwarf'] : ['-g'])];
    if (this.ctx.mmapPages) args.push('-m', String(this.ctx.mmapPages));
    args.push('-p', String(this.ctx.runtime.pid), '-o', this.data);
    this.proc = await spawnGroup('perf', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc.child.stderr!.setEncoding('utf8');
    this.proc.child.stderr!.on('data', (s: string) => (this.stderr = (this.stderr + s).slice(-20_000)));
    // perf writes its file's header once the events are open: from then on it records.
    const until = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < until && !this.proc.hasExited() && !(existsSync(this.data) && statSync(this.data).size > 0))
      await new Promise((r) => setTimeout(r, 20));
    if (this.proc.hasExited()) throw new Error(`perf record failed: ${this.stderr.trim().split('\n').at(-1) ?? 'no output'} (perf may need root or kernel.perf_event_paranoid ≤ 1)`);
    this.ctx.log?.(`perf: recording pid ${this.ctx.runtime.pid} at ${this.hz} Hz (${this.unwinding})`);
  }

  async stop(): Promise<RuntimeCaptureResult> {
    const result = emptyResult('perf', `perf record -e cpu-clock -F ${this.hz} (${this.unwinding}) attached to pid ${this.ctx.runtime.pid}`);
    result.samplingHz = this.hz;
    try {
      await this.proc?.stop('SIGINT', 10_000); // perf writes its data on SIGINT
      const out = join(this.ctx.runDir, 'perf.script.txt');
      this.linkThreadMaps();
      const scriptErr = await perfScript(this.data, out);
      const lost = lostSamples(`${this.stderr}\n${scriptErr}`);
      if (lost) result.warnings.push(`perf lost ${lost}: its ring buffer overflowed (a busy machine, a high rate or DWARF stacks); the profile has fewer samples than the CPU the service used`);
      let profile = await importPerfScript(fileSource(out), { weight: 'samples' });
      if (hasPythonTrampolines(profile)) {
        profile = foldPythonTrampolines(profile);
        result.description += '; CPython perf trampoline (Python functions named)';
      } else if (this.ctx.runtime.name === 'python') {
        profile = inlinedIntoTheirBinary(profile);
        result.description += "; no perf trampoline (Python < 3.12): CPython's own C functions only";
      }
      result.profile = profile;
      result.artifacts.profile = 'perf.script.txt';
      result.sampledCpuMs = (profile.sampleCount * 1000) / this.hz;
    } catch (e) {
      if (/no samples/.test((e as Error).message)) result.sampledCpuMs = 0;
      result.warnings.push(`No perf profile: ${(e as Error).message}`);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
      for (const f of this.linkedMaps) rmSync(f, { force: true });
    }
    return result;
  }

  /**
   * A JIT's symbol map is /tmp/perf-PID.map, but perf attached with -p can file a thread it did not see start under
   * its own id and look for /tmp/perf-TID.map: each live thread gets a link to the process's map for `perf script`.
   */
  private linkThreadMaps(): void {
    const pid = this.ctx.runtime.pid;
    const map = `/tmp/perf-${pid}.map`;
    if (!existsSync(map)) return;
    for (const tid of threadIds(pid)) {
      const link = `/tmp/perf-${tid}.map`;
      if (tid === String(pid) || existsSync(link)) continue;
      try {
        symlinkSync(map, link);
        this.linkedMaps.push(link);
      } catch {
        /* another tool made it */
      }
    }
  }

  async abort(): Promise<void> {
    await this.proc?.stop('SIGINT', 2000).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** "lost 12 chunks" / "LOST 3 events" as perf prints them, summed into one phrase; null when none were lost. */
function lostSamples(text: string): string | null {
  let events = 0;
  let chunks = 0;
  for (const m of text.matchAll(/lost (\d+) chunks/gi)) chunks += Number(m[1]);
  for (const m of text.matchAll(/(\d+) (?:samples|events) lost|lost (\d+) events|LOST (\d+) events/gi)) events += Number(m[1] ?? m[2] ?? m[3]);
  if (!events && !chunks) return null;
  return [chunks && `${chunks} chunks`, events && `${events} events`].filter(Boolean).join(' and ');
}

function perfScript(data: string, out: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const script = spawn('perf', ['script', '-i', data], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    script.stderr.setEncoding('utf8');
    script.stderr.on('data', (s: string) => (err = (err + s).slice(-20_000)));
    const file = createWriteStream(out);
    script.stdout.pipe(file);
    script.once('error', reject);
    file.once('finish', () => resolve(err));
    file.once('error', reject);
  });
}
