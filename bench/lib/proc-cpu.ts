/** CPU time of a process from /proc (Linux), for the benchmarks that compare what two servers spend. */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Nanoseconds every thread of `pid` has run (the first field of /proc/<pid>/task/<tid>/schedstat, the scheduler's
 * sum_exec_runtime), or null when /proc cannot tell. Why not utime+stime from /proc/<pid>/stat: those count in
 * clock ticks (10 ms here), too coarse for rounds of a second where a few per cent is the signal. Threads that
 * exited in between are lost; a Node server's threads (libuv pool, V8 platform, the profiler's sampler) stay.
 */
export function processCpuNs(pid: number): number | null {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return total;
  } catch {
    return null;
  }
}
