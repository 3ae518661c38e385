/**
 * A k6 script on perfloop's engine vs the same load in URL mode, one generator core, same run, same target.
 *
 * Usage (repo root; needs nginx and taskset — Debian: apt-get install -y nginx):
 *   npx tsc -p . && node dist/bench/k6-script-throughput.js [--duration 10] [--rounds 2] [--vus 50]
 *
 * The script is k6's simplest useful one: `http.get(url)` + `check(res, { 'status is 200': … })`, no sleep,
 * run unmodified (k6's synchronous style, transformed at load time). URL mode is the lean socket loop. Both
 * use one generator thread pinned to CPU 1 (a k6 script runs on one worker thread), nginx on CPU 0. Goal:
 * script ≥ 0.5× URL mode (req/s and requests per CPU-second, also with start-up excluded). Only 127.0.0.1 is targeted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { need, run, startNginx } from './lib/nginx.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    vus: { type: 'string', default: '50' },
  },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const vus = Number(values.vus);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PORT = 18_901;
const url = `http://127.0.0.1:${PORT}/`;
const SHORT_S = 3;
const dir = mkdtempSync(join(tmpdir(), 'perfloop-k6-bench-'));
const script = join(dir, 'get-check.js');
writeFileSync(
  script,
  `import http from 'k6/http';
import { check } from 'k6';
export default function () {
  const res = http.get('${url}');
  check(res, { 'status is 200': (r) => r.status === 200 });
}
`,
);

const perfloop = async (target: string, seconds = duration) => {
  const { out, cpuS } = await run(process.execPath, [
    join(root, 'bin', 'perfloop.js'),
    'load',
    target,
    '-u',
    String(vus),
    '-d',
    `${seconds}s`,
    '--json',
    '-q',
  ]);
  const j = JSON.parse(out) as {
    metrics: { http_reqs: { rate: number; count: number }; http_req_failed: { rate: number } };
  };
  // Failed requests are cheap: a run with any would flatter the generator.
  if (j.metrics.http_req_failed.rate > 0)
    throw new Error(`${target}: ${(j.metrics.http_req_failed.rate * 100).toFixed(2)}% of requests failed`);
  return { rps: j.metrics.http_reqs.rate, requests: j.metrics.http_reqs.count, cpuS };
};

need('nginx');
need('taskset');
need('/usr/bin/time');
const nginx = startNginx(PORT);
try {
  await new Promise((r) => setTimeout(r, 500));
  type Sample = { rps: number; requests: number; cpuS: number; marginalUs: number; dCpuS: number; dRequests: number };
  const results: Record<string, Sample[]> = { url: [], script: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const name of round % 2 ? ['url', 'script'] : ['script', 'url']) {
      const target = name === 'url' ? url : script;
      // A short run too: the CPU a request costs is the difference of the two runs' CPU over the difference
      // of their requests, free of start-up (the k6 script's transform and module loading, the CLI's own).
      const short = await perfloop(target, SHORT_S);
      const r = await perfloop(target);
      const marginalUs = (1e6 * (r.cpuS - short.cpuS)) / (r.requests - short.requests);
      results[name].push({ ...r, marginalUs, dCpuS: r.cpuS - short.cpuS, dRequests: r.requests - short.requests });
      console.log(
        `round ${round}  ${name.padEnd(7)} ${Math.round(r.rps).toLocaleString('en').padStart(8)} req/s  ` +
          `${Math.round(r.requests / r.cpuS).toLocaleString('en').padStart(8)} req per CPU-second  ` +
          `${marginalUs.toFixed(1).padStart(6)} µs CPU per request (start-up excluded)  busy ${Math.round((100 * r.cpuS) / duration)} %`,
      );
    }
  }
  const best = (k: string) => Math.max(...results[k].map((r) => r.rps));
  const perCpu = (k: string) =>
    results[k].reduce((a, r) => a + r.requests, 0) / results[k].reduce((a, r) => a + r.cpuS, 0);
  // All rounds together: Σ ΔCPU / Σ Δrequests.
  const marginal = (k: string) =>
    results[k].reduce((a, r) => a + r.dCpuS, 0) / results[k].reduce((a, r) => a + r.dRequests, 0);
  console.log(`\n${rounds} round(s) of ${duration} s (and ${SHORT_S} s), ${vus} VUs, nginx on CPU 0, generator on CPU 1:`);
  console.log(
    `  k6 script / URL mode: ${(best('script') / best('url')).toFixed(2)}× req/s, ` +
      `${(perCpu('script') / perCpu('url')).toFixed(2)}× per CPU-second, ` +
      `${(marginal('url') / marginal('script')).toFixed(2)}× per CPU-second without start-up   (goal ≥ 0.5×)`,
  );
  console.log(
    '  (req/s compares the engines only when both are CPU-bound on CPU 1; when nginx limits both, it tends to 1)',
  );
} finally {
  nginx.proc.kill('SIGQUIT');
  await new Promise((r) => nginx.proc.once('exit', r));
  rmSync(nginx.dir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
