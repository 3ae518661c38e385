/** The servers the agent-overhead benchmarks load: the same little work per request, bare node:http or express. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

/** node:http: the worst case with ASYNC_STEPS=4 (little work between awaits). Prints `PORT n` once listening. */
const BARE = String.raw`
import http from 'node:http';
import { createHash } from 'node:crypto';
const catalogue = Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'item ' + i, price: (i * 37) % 101 }));
const asyncSteps = Number(process.env.ASYNC_STEPS ?? 0);
http.createServer(async (req, res) => {
  // Async steps (a promise and a setImmediate each), as a handler awaiting a cache or a database would.
  for (let i = 0; i < asyncSteps; i++) { await Promise.resolve(i); await new Promise((r) => setImmediate(r)); }
  // A little work per request: filter, sort, hash, serialise.
  const items = catalogue.filter((x) => x.price > 30).sort((a, b) => b.price - a.price).slice(0, 20);
  const etag = createHash('sha1').update(JSON.stringify(items)).digest('hex');
  res.writeHead(200, { 'content-type': 'application/json', etag });
  res.end(JSON.stringify({ items, url: req.url }));
}).listen(0, '127.0.0.1', function () { console.log('PORT ' + this.address().port); });
`;

/** A typical service: express from npm (resolved from this repo's node_modules), the same work per request. */
const EXPRESS = (expressPath: string) => String.raw`
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
const express = createRequire(import.meta.url)(${JSON.stringify(expressPath)});
const catalogue = Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'item ' + i, price: (i * 37) % 101 }));
const asyncSteps = Number(process.env.ASYNC_STEPS ?? 0);
const app = express();
app.use(express.json());
app.use((req, res, next) => { res.set('x-served-by', 'bench'); next(); });
app.get('/api/items', async (req, res) => {
  for (let i = 0; i < asyncSteps; i++) { await Promise.resolve(i); await new Promise((r) => setImmediate(r)); }
  const min = Number(req.query.min ?? 30);
  const items = catalogue.filter((x) => x.price > min).sort((a, b) => b.price - a.price).slice(0, 20);
  res.set('etag', createHash('sha1').update(JSON.stringify(items)).digest('hex'));
  res.json({ items, page: req.query.page });
});
const server = app.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;

export type BenchService = 'bare' | 'express';

export function benchServerSource(service: BenchService): string {
  return service === 'express' ? EXPRESS(createRequire(import.meta.url).resolve('express')) : BARE;
}

/**
 * Starts `server.mjs` in `dir` (written from benchServerSource) with `env` added, `prefix` before node (e.g.
 * taskset); resolves with its port once it prints `PORT n`.
 */
export async function startBenchServer(
  dir: string,
  env: Record<string, string>,
  prefix: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const [cmd, ...args] = [...prefix, process.execPath, 'server.mjs'];
  const child = spawn(cmd, args, {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, port };
}

export async function stopBenchServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
