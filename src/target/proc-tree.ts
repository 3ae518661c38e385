/**
 * Finds a process and everything it started (children, grandchildren, …) from the ppid field of
 * /proc/<pid>/stat. A wrapper such as `npm start` → sh → node is one tree: sampling only the pid we
 * spawned would measure npm, not the service.
 */
import { readdirSync } from 'node:fs';
import { readAllProcStats, type ProcStat } from './proc-stat.js';

/** Root + all descendants (root first, then breadth-first); [] when the root is gone. */
export function processTree(rootPid: number): number[] {
  return descendantsOf(rootPid, readAllProcStats());
}

/** Same walk over stats the caller already read, so a sampler scans /proc once per tick. */
export function descendantsOf(rootPid: number, stats: ReadonlyMap<number, ProcStat>): number[] {
  if (!stats.has(rootPid)) return [];
  const children = new Map<number, number[]>();
  for (const stat of stats.values()) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat.pid);
    else children.set(stat.ppid, [stat.pid]);
  }
  const tree = [rootPid];
  // Index-based queue; `seen` guards against a pid-reuse cycle in a racy snapshot.
  const seen = new Set(tree);
  for (let i = 0; i < tree.length; i++) {
    for (const child of children.get(tree[i]) ?? []) {
      if (!seen.has(child)) {
        seen.add(child);
        tree.push(child);
      }
    }
  }
  return tree;
}

/** Thread ids of a live process (/proc/PID/task); empty when it is gone or /proc is not there. */
export function threadIds(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}
