/**
 * Shared by the target tests: tiny real programs written into a temp dir, a free port, and
 * poll-until helpers (deadlines instead of fixed sleeps, so slow CI machines do not flake).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRunning, readProcStat } from '../../src/target/proc-stat.js';

/** Scripts by file name; each takes its port (if any) from the PORT env var and prints `pid=<n>`. */
export const SCRIPTS: Record<string, string> = {
  'http-server.js': `
    const http = require('node:http');
    console.log('pid=' + process.pid);
    http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`,
  'tcp-server.js': `
    console.log('pid=' + process.pid);
    require('node:net').createServer((s) => s.end()).listen(Number(process.env.PORT), '127.0.0.1');`,
  // Starts, but never listens: readiness must time out.
  'never-listens.js': `
    require('node:fs').writeFileSync(process.env.PID_FILE, String(process.pid));
    console.error('warming up forever');
    setInterval(() => {}, 1000);`,
  // Ignores SIGTERM (but says it got it) and keeps serving: only SIGKILL ends it.
  'stubborn.js': `
    process.on('SIGTERM', () => console.log('got SIGTERM, ignoring it'));
    console.log('pid=' + process.pid);
    require('node:net').createServer((s) => s.end()).listen(Number(process.env.PORT), '127.0.0.1');`,
  'idle.js': `
    console.log('pid=' + process.pid);
    setInterval(() => {}, 1000);`,
  // ~200 MB of touched memory (untouched pages would not count in RSS), then a busy loop that
  // reports its own CPU time (getrusage, independent of /proc) as \`cpu <µs>\` about every 100 ms.
  'busy.js': `
    const blocks = [];
    for (let i = 0; i < 20; i++) blocks.push(Buffer.alloc(10 * 1024 * 1024, 1));
    console.log('pid=' + process.pid);
    let x = 0, next = 0;
    for (;;) {
      for (let i = 0; i < 1e5; i++) x = (x + blocks.length) % 1e9;
      const now = Date.now();
      if (now >= next) {
        const u = process.cpuUsage();
        console.log('cpu ' + (u.user + u.system));
        next = now + 100;
      }
    }`,
  // Burns exactly 1 s of CPU time, then exits: a wrapper runs several in a row.
  'burn-1s.js': `
    const start = process.cpuUsage();
    const used = () => { const u = process.cpuUsage(start); return u.user + u.system; };
    while (used() < 1e6) {}`,
};

export { freePort } from '../../src/target/free-port.js';

export function writeScripts(dir: string): void {
  for (const [name, body] of Object.entries(SCRIPTS)) writeFileSync(join(dir, name), body);
}


/**
 * Still running? A killed orphan can linger as a zombie (in containers PID 1 often does not reap),
 * but a zombie runs no code and holds no port, so it counts as gone.
 */
export function pidRunning(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && isRunning(stat);
}

/** Polls until `check` returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The pid a script printed as `pid=<n>` among output lines. */
export function printedPid(lines: readonly string[]): number | undefined {
  for (const line of lines) {
    const m = /^pid=(\d+)$/.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
}

export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
