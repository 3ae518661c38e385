/**
 * 10,000 concurrent VUs (closed model, keep-alive) against a server answering after 50 ms, held for 60 s:
 * how much memory does the generator need? Goal: RSS under 400 MB.
 *
 * Usage (from the repo root):
 *   npx tsc -p . && node dist/bench/load-10k-vus.js [--vus 10000] [--duration 60] [--delay 50]
 *
 * The target is a node:http server in its own process (listen backlog 4096, keep-alive 2 min) that answers
 * every request after `--delay` ms. At 10,000 VUs it cannot keep up with 200,000 req/s, so its queueing adds
 * to the latency — the point here is the generator's footprint: `perfloop load` runs as a child process and
 * its RSS is sampled from /proc every second (Linux). Only 127.0.0.1 is targeted.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    vus: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '60' },
    delay: { type: 'string', default: '50' },
  },
});
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'perfloop-10k-'));
writeFileSync(
  join(dir, 'server.mjs'),
  `import http from 'node:http';
const s = http.createServer((req, res) => setTimeout(() => res.end('ok'), ${Number(values.delay)}));
s.keepAliveTimeout = 120000; s.headersTimeout = 130000; s.requestTimeout = 0;
s.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => console.log('PORT ' + s.address().port));`,
);

const rssMb = (pid: number, field = 'VmRSS'): number => {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};

const server = spawn(process.execPath, [join(dir, 'server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const [line] = (await once(server.stdout!, 'data')) as [Buffer];
  const port = Number(/PORT (\d+)/.exec(String(line))![1]);
  const gen = spawn(
    process.execPath,
    [
      join(root, 'bin', 'perfloop.js'),
      'load',
      `http://127.0.0.1:${port}/`,
      '-c',
      String(values.vus),
      '-d',
      `${values.duration}s`,
      '--timeout',
      '60s',
      '--json',
      '-q',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  gen.stdout!.on('data', (d: Buffer) => (out += d));
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMb(gen.pid!)), 1000);
  let hwm = 0;
  const hwmSampler = setInterval(() => (hwm = Math.max(hwm, rssMb(gen.pid!, 'VmHWM'))), 250);
  const [code] = (await once(gen, 'exit')) as [number];
  clearInterval(sampler);
  clearInterval(hwmSampler);
  if (code !== 0 && code !== 99) throw new Error(`perfloop exited ${code}`);
  const j = JSON.parse(out) as {
    durationS: number;
    metrics: {
      http_reqs: { count: number; rate: number };
      http_req_duration: { p50: number; p99: number };
      http_req_failed: { rate: number; count: number };
      vus_max: { value: number };
    };
    generator: { eventLoopLagP99Ms: number; utilization: number };
    warnings: string[];
  };
  const steady = samples.slice(5);
  console.log(
    `VUs ${j.metrics.vus_max.value} for ${j.durationS.toFixed(1)} s against a ${values.delay} ms server`,
  );
  console.log(
    `  requests ${j.metrics.http_reqs.count} (${Math.round(j.metrics.http_reqs.rate)} req/s), failed ${j.metrics.http_req_failed.count}`,
  );
  console.log(
    `  latency p50 ${j.metrics.http_req_duration.p50} ms, p99 ${j.metrics.http_req_duration.p99} ms (server queueing included)`,
  );
  console.log(
    `  generator event-loop lag p99 ${j.generator.eventLoopLagP99Ms} ms, busy ${Math.round(j.generator.utilization * 100)}%`,
  );
  console.log(
    `  generator RSS: peak ${Math.round(hwm)} MB (VmHWM), steady ${Math.round(Math.min(...steady))}–${Math.round(Math.max(...steady))} MB   (goal < 400 MB)`,
  );
  // Failures at this scale usually come from the target's accept queue (see the ListenOverflows warning).
  for (const w of j.warnings) console.log(`  warning: ${w}`);
} finally {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
