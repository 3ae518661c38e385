/**
 * Samples CPU, memory, threads and open files of a whole process tree from /proc, for any target in
 * any language. One tick = one scan of /proc/<pid>/stat for every process (needed to find the tree:
 * a wrapper may start new children at any time) plus one readdir of /proc/<pid>/fd per tree member.
 * The stat line already holds CPU ticks, thread count and RSS, so nothing else is read.
 */
import { performance } from 'node:perf_hooks';
import {
  countFds,
  isRunning,
  kernelConstants,
  readAllProcStats,
  uptimeSeconds,
  type ProcStat,
} from './proc-stat.js';
import { descendantsOf } from './proc-tree.js';

export interface ProcTreeSample {
  /** Epoch ms. */
  t: number;
  /** user+sys CPU of the tree over the last interval; 100 = one core fully busy. */
  cpuPct: number;
  rssBytes: number;
  threads: number;
  fds: number;
  /** Running (non-zombie) processes in the tree. */
  processes: number;
}

interface Seen {
  startTicks: number;
  ppid: number;
  /** own + reaped-children ticks at the last sample. */
  ticks: number;
}

export class ProcSampler {
  private readonly collected: ProcTreeSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private previous: { at: number; byPid: Map<number, Seen> } | undefined;
  /** Identifies the root despite pid reuse: once it changes, the tree we watched is gone. */
  private rootStartTicks: number | undefined;
  private gone = false;

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 250,
  ) {}

  get samples(): readonly ProcTreeSample[] {
    return this.collected;
  }

  /**
   * Takes a baseline now and a sample every intervalMs. The timer is unref'd (it never keeps the
   * process alive) and stops by itself once the tree is gone. Calling start() twice is harmless.
   */
  start(): void {
    if (this.timer || this.gone) return;
    this.observe();
    this.timer = setInterval(() => this.sampleNow(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer; returns every sample taken. */
  stop(): ProcTreeSample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return [...this.collected];
  }

  /**
   * Takes one sample now and appends it to `samples`; undefined once the tree is gone. Its cpuPct
   * covers the time since the previous sample (or, for the very first one without start(), the
   * tree's lifetime). Never throws.
   */
  sampleNow(): ProcTreeSample | undefined {
    let sample: ProcTreeSample | undefined;
    try {
      sample = this.observe();
    } catch {
      sample = undefined; // a sampler must never take the run down; a missed tick is harmless
    }
    if (sample) this.collected.push(sample);
    else if (this.gone) this.stop();
    return sample;
  }

  /** One scan of /proc; updates the CPU baseline and returns the sample (undefined if gone). */
  private observe(): ProcTreeSample | undefined {
    if (this.gone) return undefined;
    const stats = readAllProcStats();
    const root = stats.get(this.rootPid);
    this.rootStartTicks ??= root?.startTicks;
    if (!root || !isRunning(root) || root.startTicks !== this.rootStartTicks) {
      this.gone = true;
      return undefined;
    }
    const now = performance.now();
    const tree = descendantsOf(this.rootPid, stats).map((pid) => stats.get(pid) as ProcStat);
    const byPid = new Map<number, Seen>();
    let rssPages = 0;
    let threads = 0;
    let fds = 0;
    let processes = 0;
    for (const p of tree) {
      byPid.set(p.pid, { startTicks: p.startTicks, ppid: p.ppid, ticks: p.ownTicks + p.reapedChildTicks });
      if (!isRunning(p)) continue; // a zombie holds no memory or files, but its CPU ticks still count
      processes++;
      rssPages += p.rssPages;
      threads += p.threads;
      fds += countFds(p.pid);
    }
    const cpuPct = this.cpuPercent(root, byPid, now);
    this.previous = { at: now, byPid };
    const { pageSizeBytes } = kernelConstants();
    return { t: Date.now(), cpuPct, rssBytes: rssPages * pageSizeBytes, threads, fds, processes };
  }

  /**
   * CPU used by the tree since the previous sample. Each process counts its own ticks plus those of
   * children it has reaped, so when a short-lived child exits and its parent (in the tree) waits for
   * it, the child's ticks move into the parent's instead of disappearing. To not count them twice,
   * the vanished child's last-seen ticks are subtracted in that case. A process that left the tree
   * any other way (re-parented to init) takes its ticks of the last interval with it — a small
   * undercount, never an overcount.
   */
  private cpuPercent(root: ProcStat, current: Map<number, Seen>, now: number): number {
    const { clockTicksPerSecond } = kernelConstants();
    const prev = this.previous;
    if (!prev) {
      // No baseline: average over the tree's lifetime (it started with the root).
      const uptime = uptimeSeconds();
      if (uptime === undefined) return 0;
      const ageSeconds = uptime - root.startTicks / clockTicksPerSecond;
      let ticks = 0;
      for (const p of current.values()) ticks += p.ticks;
      return ageSeconds > 0 ? round((ticks / clockTicksPerSecond / ageSeconds) * 100) : 0;
    }
    let deltaTicks = 0;
    for (const [pid, p] of current) {
      const before = prev.byPid.get(pid);
      const same = before !== undefined && before.startTicks === p.startTicks;
      deltaTicks += same ? p.ticks - before.ticks : p.ticks; // new process: all of its time is new
    }
    for (const [pid, before] of prev.byPid) {
      const still = current.get(pid);
      if (still && still.startTicks === before.startTicks) continue;
      if (current.has(before.ppid)) deltaTicks -= before.ticks; // reaped by a tree member: see above
    }
    const seconds = (now - prev.at) / 1000;
    if (seconds <= 0) return 0;
    return round(Math.max(0, (deltaTicks / clockTicksPerSecond / seconds) * 100));
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
