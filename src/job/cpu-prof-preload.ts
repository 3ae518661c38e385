/**
 * Preloaded into every Node process of a job (`NODE_OPTIONS=--import …/cpu-prof-preload.js`, set by perfloop job):
 * V8's sampling CPU profiler from start-up to exit, written as `<dir>/<pid>.cpuprofile` (with its argv beside it, `<pid>.argv.json`) (the Chrome DevTools
 * format, https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile). Node refuses `--cpu-prof`
 * in NODE_OPTIONS, so a job started through npm, npx/tsx, a `#!/usr/bin/env node` script or a shell could not be
 * profiled with it; a preload reaches every node process of the tree however it was started. The in-process
 * inspector session answers synchronously, so the profile can be taken in the 'exit' handler (process.exit too).
 * It must never change the job's behaviour: every failure is swallowed.
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

export const JOB_PROFILE_DIR_ENV = 'PERFLOOP_JOB_PROFILE_DIR';
export const JOB_PROFILE_INTERVAL_ENV = 'PERFLOOP_JOB_PROFILE_INTERVAL_US';

function start(dir: string, intervalUs: number): void {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  session.post('Profiler.start');
  process.on('exit', () => {
    try {
      session.post('Profiler.stop', (err, result) => {
        if (err || !result?.profile) return;
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
        // Which program this process ran: the job's picker passes over launchers (npm, npx, tsx's CLI).
        writeFileSync(join(dir, `${process.pid}.argv.json`), JSON.stringify(process.argv));
      });
    } catch {
      /* the job must not notice the profiler */
    }
  });
}

const dir = process.env[JOB_PROFILE_DIR_ENV];
// Worker threads load the preload too; the main thread's profile is the process's (and a worker would overwrite it).
if (dir && isMainThread) {
  try {
    const us = Number(process.env[JOB_PROFILE_INTERVAL_ENV]);
    start(dir, Number.isFinite(us) && us >= 50 ? Math.round(us) : 1000);
  } catch {
    /* no inspector (a build without it): the job runs unprofiled */
  }
}
