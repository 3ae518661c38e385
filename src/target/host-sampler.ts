/**
 * What else the machine was doing during a run: once a second, the whole host's busy CPU and steal time from
 * /proc/stat, the 1-minute load average, and the CPU this process (the load generator, worker threads included)
 * used. With the target tree's CPU from the /proc sampler, "other" = host − target − generator is the contention
 * a comparison must know about: two runs on a machine whose other work differed are not like with like.
 * Linux only; elsewhere it records nothing.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

export interface HostSample {
  /** Epoch ms at the end of the second. */
  t: number;
  /** Busy CPU of the whole host over the second; 100 = one core. */
  busyPct: number;
  /** CPU stolen by the hypervisor over the second; 100 = one core. */
  stealPct: number;
  /** CPU of this process (the load generator) over the second; 100 = one core. */
  generatorPct: number;
  loadAvg1: number;
}

interface CpuTicks {
  busy: number;
  steal: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal … (USER_HZ ticks). */
function readCpuTicks(): CpuTicks | null {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'latin1');
  } catch {
    return null;
  }
  const line = text.slice(0, text.indexOf('\n'));
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  const busy = user + nice + system + irq + softirq;
  return { busy, steal, total: busy + idle + iowait + steal };
}

export class HostSampler {
  private readonly collected: HostSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last: { at: number; ticks: CpuTicks; self: NodeJS.CpuUsage } | undefined;

  constructor(
    private readonly cores: number,
    private readonly intervalMs = 1000,
  ) {}

  get samples(): readonly HostSample[] {
    return this.collected;
  }

  start(): void {
    if (this.timer) return;
    const ticks = readCpuTicks();
    if (!ticks) return;
    this.last = { at: Date.now(), ticks, self: process.cpuUsage() };
    this.timer = setInterval(() => this.observe(), this.intervalMs);
    this.timer.unref();
  }

  stop(): HostSample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return [...this.collected];
  }

  private observe(): void {
    const ticks = readCpuTicks();
    if (!ticks || !this.last) return;
    const at = Date.now();
    const self = process.cpuUsage();
    const total = ticks.total - this.last.ticks.total;
    const wallMs = at - this.last.at;
    if (total > 0 && wallMs > 0) {
      const scale = (100 * this.cores) / total; // ticks → % of one core
      const selfUs = self.user + self.system - this.last.self.user - this.last.self.system;
      this.collected.push({
        t: at,
        busyPct: round1((ticks.busy - this.last.ticks.busy) * scale),
        stealPct: round1((ticks.steal - this.last.ticks.steal) * scale),
        generatorPct: round1((selfUs / 1000 / wallMs) * 100),
        loadAvg1: Math.round(loadavg()[0] * 100) / 100,
      });
    }
    this.last = { at, ticks, self };
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
