/**
 * Go services: the CPU profile, heap profiles and goroutine counts from the service's own net/http/pprof
 * handlers (https://pkg.go.dev/net/http/pprof). The CPU profile is `GET /debug/pprof/profile?seconds=N` over the
 * measured window; heap profiles (`/debug/pprof/heap?gc=1`: after a GC, so in-use bytes are live ones) at the
 * window's start and end record allocation sites, not types, so growth is named by its allocating function.
 * Go's profiler samples at 100 Hz (runtime/pprof's fixed rate); the importer folds runtime.asyncPreempt samples
 * into the function they interrupted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pprofToProfile } from '../import/pprof.js';
import { Profile as PprofProfile } from 'pprof-format';
import { gunzipSync } from 'node:zlib';
import type { Profile } from '../../core/profile.js';
import {
  emptyResult,
  oneSamplePerTick,
  weightByAllocatingFunction,
  type CaptureContext,
  type GrowthRow,
  type RuntimeCaptureResult,
  type WindowCapture,
} from './runtime-capture.js';

const GO_PROFILE_HZ = 100;
/** How long past the window a CPU profile may take to arrive (the handler writes it after `seconds`). */
const PROFILE_SLACK_MS = 15_000;
/** Goroutines are counted this often in the window: a leak keeps growing, a pool's start-up is one step. */
const GOROUTINE_POLL_MS = 1000;

/** The pprof base URL of a service, or null when it has no net/http/pprof handlers there. */
export async function findPprof(ctx: Pick<CaptureContext, 'pprofUrl' | 'serviceOrigin'>): Promise<string | null> {
  const candidates = ctx.pprofUrl ? [ctx.pprofUrl] : ctx.serviceOrigin ? [ctx.serviceOrigin] : [];
  for (const c of candidates) {
    const base = c.replace(/\/+$/, '').replace(/\/debug\/pprof$/, '');
    try {
      const r = await fetch(`${base}/debug/pprof/cmdline`, { signal: AbortSignal.timeout(3000) });
      await r.arrayBuffer();
      if (r.ok) return base;
    } catch {
      /* not there */
    }
  }
  return null;
}

async function get(url: string, signal?: AbortSignal): Promise<Buffer> {
  const r = await fetch(url, { signal });
  const body = Buffer.from(await r.arrayBuffer());
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${body.toString('utf8', 0, 200).trim()}`);
  return body;
}

function decode(buf: Buffer): PprofProfile {
  return PprofProfile.decode(buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf);
}

async function goroutineCount(base: string): Promise<number | null> {
  try {
    const text = (await get(`${base}/debug/pprof/goroutine?debug=1`, AbortSignal.timeout(5000))).toString('utf8', 0, 200);
    const m = /goroutine profile: total (\d+)/.exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Go's own allocator frames: the allocation is charged to the first frame outside them. */
const isGoRuntimeAlloc = (name: string) => /^runtime\.|^reflect\.unsafe_New/.test(name);

/** In-use bytes and objects per allocating function, largest growth first. */
export function heapGrowth(before: PprofProfile, after: PprofProfile): GrowthRow[] {
  const by = (p: PprofProfile, type: string) => weightByAllocatingFunction(pprofToProfile(p, 'heap', type), isGoRuntimeAlloc);
  const [b0, b1, c0, c1] = [by(before, 'inuse_space'), by(after, 'inuse_space'), by(before, 'inuse_objects'), by(after, 'inuse_objects')];
  const names = new Set([...b0.keys(), ...b1.keys()]);
  return [...names]
    .map((name) => ({
      name,
      bytesBefore: Math.round(b0.get(name) ?? 0),
      bytesAfter: Math.round(b1.get(name) ?? 0),
      countBefore: Math.round(c0.get(name) ?? 0),
      countAfter: Math.round(c1.get(name) ?? 0),
    }))
    .sort((a, b) => b.bytesAfter - b.bytesBefore - (a.bytesAfter - a.bytesBefore));
}

export class PprofHttpCapture implements WindowCapture {
  readonly profiler = 'pprof' as const;
  private readonly abortFetch = new AbortController();
  private cpu: Promise<Buffer> | null = null;
  private heapBefore: PprofProfile | null = null;
  private goroutinesBefore: number | null = null;
  private readonly goroutineSeries: number[] = [];
  private goroutinePoll: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private readonly warnings: string[] = [];

  constructor(
    private readonly ctx: CaptureContext,
    private readonly base: string,
  ) {}

  async start(): Promise<void> {
    try {
      this.heapBefore = decode(await get(`${this.base}/debug/pprof/heap?gc=1`, AbortSignal.timeout(10_000)));
    } catch (e) {
      this.warnings.push(`No Go heap profile at the window's start: ${(e as Error).message}`);
    }
    this.goroutinesBefore = await goroutineCount(this.base);
    if (this.goroutinesBefore !== null) this.goroutineSeries.push(this.goroutinesBefore);
    this.goroutinePoll = setInterval(() => {
      void goroutineCount(this.base).then((n) => n !== null && this.goroutinePoll && this.goroutineSeries.push(n));
    }, GOROUTINE_POLL_MS);
    this.goroutinePoll.unref();
    const seconds = Math.max(1, Math.round(this.ctx.windowS));
    const signal = this.ctx.signal ? AbortSignal.any([this.ctx.signal, this.abortFetch.signal]) : this.abortFetch.signal;
    this.cpu = get(`${this.base}/debug/pprof/profile?seconds=${seconds}`, signal);
    this.cpu.catch(() => undefined);
    this.startedAt = Date.now();
    this.ctx.log?.(`pprof: CPU profile of ${seconds}s from ${this.base}/debug/pprof/profile`);
  }

  async stop(): Promise<RuntimeCaptureResult> {
    this.stopGoroutinePoll();
    const result = emptyResult('pprof', `Go pprof CPU profile from net/http/pprof (${this.base}), ${GO_PROFILE_HZ} Hz`);
    result.samplingHz = GO_PROFILE_HZ;
    result.warnings.push(...this.warnings);
    const windowS = (Date.now() - this.startedAt) / 1000;
    if (this.ctx.signal?.aborted) this.abortFetch.abort();
    const guard = setTimeout(() => this.abortFetch.abort(), PROFILE_SLACK_MS);
    try {
      const raw = await this.cpu!;
      writeFileSync(join(this.ctx.runDir, 'cpu.pprof'), raw);
      result.artifacts.profile = 'cpu.pprof';
      // The importer folds runtime.asyncPreempt into its caller.
      const imported: Profile = pprofToProfile(decode(raw), 'cpu.pprof', 'cpu');
      const profile = imported.unit === 'ns' ? oneSamplePerTick(imported, 1e9 / GO_PROFILE_HZ) : imported;;
      result.profile = profile;
      result.sampledCpuMs = profile.unit === 'ns' ? profile.totalWeight / 1e6 : (profile.sampleCount * 1000) / GO_PROFILE_HZ;
    } catch (e) {
      result.warnings.push(`No Go CPU profile: ${(e as Error).message}`);
    } finally {
      clearTimeout(guard);
    }
    const afterRaw = await get(`${this.base}/debug/pprof/heap?gc=1`, AbortSignal.timeout(10_000)).catch((e: Error) => {
      result.warnings.push(`No Go heap profile at the window's end: ${e.message}`);
      return null;
    });
    if (this.heapBefore && afterRaw) {
      writeFileSync(join(this.ctx.runDir, 'heap-end.pprof'), afterRaw);
      result.artifacts.heapProfile = 'heap-end.pprof';
      const source = "Go heap profiles (in-use, after GC) at the window's start and end";
      result.memory.growth = { by: 'allocating function', source, windowS, rows: heapGrowth(this.heapBefore, decode(afterRaw)) };
    }
    const goroutinesAfter = await goroutineCount(this.base);
    if (this.goroutinesBefore !== null && goroutinesAfter !== null)
      result.memory.goroutines = { start: this.goroutinesBefore, end: goroutinesAfter, windowS, series: [...this.goroutineSeries, goroutinesAfter] };
    return result;
  }

  private stopGoroutinePoll(): void {
    if (this.goroutinePoll) clearInterval(this.goroutinePoll);
    this.goroutinePoll = null;
  }

  async abort(): Promise<void> {
    this.stopGoroutinePoll();
    this.abortFetch.abort();
  }
}
