/**
 * Peak resident memory of a job's process tree, sampled from /proc while it runs. Linux keeps a per-process
 * peak (VmHWM in /proc/<pid>/status) but no peak of a tree (wait4's ru_maxrss is the largest single child, and
 * Node cannot call wait4), so: every tick, the tree's summed VmRSS, and each process's own VmHWM. The peak is the
 * larger of the highest sum seen and the highest single-process VmHWM — exact for a one-process job, a lower
 * bound for a tree whose processes peak between ticks. Format: https://man7.org/linux/man-pages/man5/proc_pid_status.5.html
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Children of every thread of `pid` (/proc/<pid>/task/<tid>/children, CONFIG_PROC_CHILDREN). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').trim();
      if (text) for (const c of text.split(' ')) out.push(Number(c));
    } catch {
      /* the thread or process is gone */
    }
  }
  return out;
}

function treeOf(root: number): number[] {
  const tree = [root];
  const seen = new Set(tree);
  for (let i = 0; i < tree.length; i++)
    for (const c of childrenOf(tree[i]))
      if (!seen.has(c)) {
        seen.add(c);
        tree.push(c);
      }
  return tree;
}

/** VmRSS and VmHWM in kB; null when the process is gone (or a zombie, which has no memory lines). */
export function readMemoryKb(pid: number): { rssKb: number; hwmKb: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const rss = /^VmRSS:\s+(\d+)/m.exec(text);
  const hwm = /^VmHWM:\s+(\d+)/m.exec(text);
  if (!rss || !hwm) return null;
  return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
}

export class TreeMemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private maxSumKb = 0;
  private maxHwmKb = 0;
  /** Pids seen in the tree: the job's wrapper shell is left out of the figure (it is ours, not the job's). */
  readonly seen = new Set<number>();

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 10,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** One last sample, then no more; returns the peak in MB. */
  stop(): number {
    clearInterval(this.timer);
    this.timer = undefined;
    return Math.max(this.maxSumKb, this.maxHwmKb) / 1024;
  }

  private sample(): void {
    let sum = 0;
    for (const pid of treeOf(this.rootPid)) {
      if (pid === this.rootPid) continue;
      this.seen.add(pid);
      const m = readMemoryKb(pid);
      if (!m) continue;
      sum += m.rssKb;
      if (m.hwmKb > this.maxHwmKb) this.maxHwmKb = m.hwmKb;
    }
    if (sum > this.maxSumKb) this.maxSumKb = sum;
  }
}
