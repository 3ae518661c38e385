/**
 * Reads Linux /proc: one process's /proc/<pid>/stat, the list of all pids, a process's open-fd
 * count, and the two kernel constants needed to turn those numbers into seconds and bytes.
 * Format: https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html
 *
 * Everything here tolerates races — a process can vanish between listing /proc and reading it —
 * by returning undefined/0 instead of throwing.
 */
import { closeSync, openSync, readSync, readdirSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';

export interface ProcStat {
  pid: number;
  /** Command name (field 2, at most 15 bytes as the kernel keeps it). */
  comm: string;
  /** Single-letter state; 'Z' (zombie) and 'X' (dead) are no longer running. */
  state: string;
  ppid: number;
  pgrp: number;
  /** CPU time in clock ticks: the process's own (utime+stime) … */
  ownTicks: number;
  /** … and that of its children it has already waited for (cutime+cstime). */
  reapedChildTicks: number;
  threads: number;
  /** Start time in clock ticks after boot: with pid, it identifies a process despite pid reuse. */
  startTicks: number;
  rssPages: number;
}

// One reusable buffer: /proc/<pid>/stat is well under 1 KiB, and open+read+close is the cheapest way
// to read it (readFileSync adds an fstat and a second read).
const statBuffer = Buffer.alloc(4096);

/** Reads and parses /proc/<pid>/stat; undefined when the process is gone or unreadable. */
export function readProcStat(pid: number): ProcStat | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
    const n = readSync(fd, statBuffer, 0, statBuffer.length, 0);
    return parseProcStat(statBuffer.toString('latin1', 0, n));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Parses the text of /proc/<pid>/stat. The command name (field 2) sits in parentheses and may itself
 * contain spaces and ')' — e.g. "(my (weird) app)" — so fields are counted from after the LAST ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number.parseInt(text, 10);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  if (rest.length < 22 || !Number.isFinite(pid)) return undefined;
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0],
    ppid: field(4),
    pgrp: field(5),
    ownTicks: field(14) + field(15),
    reapedChildTicks: field(16) + field(17),
    threads: field(20),
    startTicks: field(22),
    rssPages: field(24),
  };
}

export const isRunning = (stat: ProcStat) => stat.state !== 'Z' && stat.state !== 'X';

/** Every process id currently in /proc (threads are not listed there, only thread-group leaders). */
export function listPids(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(name));
  }
  return pids;
}

/** Reads the stat of every process on the machine, keyed by pid. */
export function readAllProcStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const pid of listPids()) {
    const stat = readProcStat(pid);
    if (stat) stats.set(pid, stat);
  }
  return stats;
}

/** Open file descriptors of a process; 0 when it is gone or not ours to look at (EACCES). */
export function countFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Seconds since boot, the clock /proc starttime is measured against. */
export function uptimeSeconds(): number | undefined {
  try {
    return Number.parseFloat(readFileSync('/proc/uptime', 'latin1'));
  } catch {
    return undefined;
  }
}

export interface KernelConstants {
  /** USER_HZ: the unit of every *time field in /proc/<pid>/stat. */
  clockTicksPerSecond: number;
  /** The unit of the rss field. */
  pageSizeBytes: number;
}

let constants: KernelConstants | undefined;

/**
 * CLK_TCK and the page size, read once from this process's ELF auxiliary vector (AT_CLKTCK,
 * AT_PAGESZ) — the same place libc's sysconf() gets them — so no `getconf` child process is needed.
 * Fallbacks: USER_HZ is 100 on every architecture Node runs on, and 4 KiB pages are the common case
 * (arm64 kernels with 16/64 KiB pages are exactly why we ask rather than assume).
 */
export function kernelConstants(): KernelConstants {
  if (constants) return constants;
  constants = { clockTicksPerSecond: 100, pageSizeBytes: 4096 };
  try {
    const auxv = readFileSync('/proc/self/auxv');
    const little = endianness() === 'LE';
    // 64-bit layout: pairs of (type, value) as unsigned longs, ended by AT_NULL (0).
    for (let off = 0; off + 16 <= auxv.length; off += 16) {
      const type = Number(little ? auxv.readBigUInt64LE(off) : auxv.readBigUInt64BE(off));
      const value = Number(little ? auxv.readBigUInt64LE(off + 8) : auxv.readBigUInt64BE(off + 8));
      if (type === 0) break;
      if (type === AT_PAGESZ && value > 0) constants.pageSizeBytes = value;
      if (type === AT_CLKTCK && value > 0) constants.clockTicksPerSecond = value;
    }
  } catch {
    /* not Linux, or a 32-bit layout we do not decode: keep the fallbacks */
  }
  return constants;
}

const AT_PAGESZ = 6;
const AT_CLKTCK = 17;
