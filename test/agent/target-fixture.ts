import { spawn, type ChildProcess } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot, tempDir } from '../helpers.js';

/**
 * A tiny node:http service for the agent tests, written to a temp dir (with node_modules linked to
 * the repo's, so it resolves pg and PGlite like a real project would) and run as a real child.
 */
const SERVER = String.raw`
import http from 'node:http';
import { PGlite } from '@electric-sql/pglite';

// TARGET_DB=none skips PGlite's ~5 s start for tests that do not need a database.
const db = process.env.TARGET_DB === 'none' ? null : new PGlite();
await db?.exec("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10) g;");
let pool = null;
if (process.env.PERFLOOP_TEST_PG) {
  const pg = (await import('pg')).default;
  pool = new pg.Pool({ connectionString: process.env.PERFLOOP_TEST_PG, max: 2 });
}
// A bug in the target's own callback must reach the target's handler, as without the agent.
process.on('uncaughtException', (e) => console.error('target caught: ' + e.message));

function perfloopBusyLoop(ms) {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

const routes = {
  '/pid': async () => ({ pid: process.pid, ppid: process.ppid }),
  '/x': async () => (await db.query('SELECT id, name\n     FROM   items\n  WHERE id <= $1 ORDER BY id', [3])).rows,
  '/sql': async () => (await db.sql${'`'}SELECT count(*)::int AS n FROM items WHERE id > ${'${'}5}${'`'}).rows,
  '/tx': async () => db.transaction(async (tx) => (await tx.query('UPDATE items SET name = name WHERE id <= 4')).affectedRows),
  '/busy': async () => ({ x: perfloopBusyLoop(150) }),
  '/fail': async () => {
    try { await db.query('SELEC broken'); return { ok: true }; } catch (e) { return { failed: e.message }; }
  },
  '/pg': async () => {
    const a = await pool.query('SELECT generate_series(1, 4) AS n');
    const b = await new Promise((resolve, reject) =>
      pool.query('SELECT $1::int AS v', [7], (err, r) => (err ? reject(err) : resolve(r))));
    return { a: a.rowCount, b: b.rows[0].v, pools: pool.totalCount };
  },
  '/pg-throw': async () => {
    pool.query('SELECT 1 AS one', () => { throw new Error('boom in pg callback'); });
    return { sent: true };
  },
};

const server = http.createServer(async (req, res) => {
  const route = routes[new URL(req.url, 'http://localhost').pathname];
  try {
    const body = route ? await route() : { error: 'not found' };
    res.writeHead(route ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  } catch (e) {
    res.writeHead(500).end(String(e && e.message));
  }
});
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;

/** Env for a target without a database (starts in well under a second). */
export const NO_DB = { TARGET_DB: 'none' };

/** Spawns the server through `node wrapper.mjs`, the way npm / sh → node would. */
const WRAPPER = String.raw`
import { spawn } from 'node:child_process';
const child = spawn(process.execPath, ['server.mjs'], { stdio: 'inherit' });
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => child.kill(s));
child.on('exit', (code) => process.exit(code ?? 0));
`;

export interface Target {
  child: ChildProcess;
  baseUrl: string;
  stderr: () => string;
  get: (path: string) => Promise<{ status: number; body: unknown }>;
  stop: () => Promise<void>;
}

export function writeTargetDir(): string {
  const dir = tempDir('perfloop-agent-target-');
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'server.mjs'), SERVER);
  writeFileSync(join(dir, 'wrapper.mjs'), WRAPPER);
  return dir;
}

/** Starts the service (own process group, so a wrapper's children die with it) and waits for its port. */
export async function startTarget(
  dir: string,
  env: Record<string, string>,
  command: string[] = [process.execPath, 'server.mjs'],
): Promise<Target> {
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    // Readiness is the PORT line (and an exit fails at once); the limit is only a last guard. PGlite's start
    // takes ~5 s on a quiet machine and past 30 s on a 2-core one running other suites.
    const timer = setTimeout(() => reject(new Error(`target did not print its port within 180 s: ${stderr}`)), 180_000);
    child.on('exit', (code) => reject(new Error(`target exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    baseUrl,
    stderr: () => stderr,
    get: async (path) => {
      const res = await fetch(baseUrl + path);
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* plain text */
      }
      return { status: res.status, body };
    },
    stop: () => stopGroup(child),
  };
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
  await exited;
}

/** Polls until `predicate` returns a truthy value (never a fixed sleep: no timing assertions). */
export async function waitFor<T>(
  what: string,
  predicate: () => T | undefined | null | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
