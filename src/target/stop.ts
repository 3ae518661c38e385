/**
 * Stops a target's whole process group: SIGTERM, a grace period, then SIGKILL. The group matters
 * because the pid perfloop spawned is often only a wrapper (`npm start` → sh → node): signalling it
 * alone would leave the real service running and holding its port.
 *
 * "Gone" means no RUNNING member is left. Zombies are ignored on purpose: inside containers PID 1 is
 * often not an init that reaps orphans, so a dead grandchild can stay a zombie forever and waiting
 * for it to vanish would hang. A process that moved itself to another group (setsid, daemonising)
 * is out of reach here.
 */
import { existsSync } from 'node:fs';
import { isRunning, readAllProcStats } from './proc-stat.js';

const POLL_MS = 50;
/** After SIGKILL the kernel needs only moments; this bound just keeps stop() from ever hanging. */
const AFTER_KILL_WAIT_MS = 3000;

/** Sends `signal` to every process in the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left to signal
  }
}

/** Whether any process of the group is still running (zombies do not count, see above). */
export function groupRunning(pgid: number): boolean {
  if (!hasProc()) {
    // Without /proc, signal 0 is the only probe; it also sees zombies, which is the lesser evil there.
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const stat of readAllProcStats().values()) {
    if (stat.pgrp === pgid && isRunning(stat)) return true;
  }
  return false;
}

/**
 * SIGTERM to the group; SIGKILL to whatever still runs after `graceMs`. Resolves once the group is
 * gone and `leaderExited` has settled (the leader is our child, so Node reaps it promptly).
 */
export async function stopProcessGroup<T>(
  pgid: number,
  leaderExited: Promise<T>,
  graceMs: number,
): Promise<T> {
  let leaderDone = false;
  void leaderExited.then(() => (leaderDone = true));
  const settled = () => leaderDone && !groupRunning(pgid);

  if (signalGroup(pgid, 'SIGTERM') && !(await waitFor(settled, graceMs))) {
    signalGroup(pgid, 'SIGKILL');
    await waitFor(settled, AFTER_KILL_WAIT_MS);
  }
  return leaderExited;
}

/** Polls `condition` until it holds (true) or `ms` pass (false). */
async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    // Yield first so the 'exit' event of a just-signalled child can be delivered.
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (condition()) return true;
    if (Date.now() >= deadline) return false;
  }
}

let procAvailable: boolean | undefined;
const hasProc = () => (procAvailable ??= existsSync('/proc/self/stat'));
