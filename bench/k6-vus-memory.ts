/**
 * Memory of many k6 VUs on one thread: a k6 script with `http.get` + `sleep(1)` held for 60 s at 1,000 and
 * 5,000 VUs; the peak RSS of the whole perfloop process (main thread + its generator thread), from
 * /usr/bin/time. k6 spends 1–5 MB per VU (its docs), so 1,000 VUs cost it 1–5 GB. Goals: 1,000 VUs under
 * 300 MB, 5,000 under 600 MB.
 *
 * Usage (repo root; needs nginx — Debian: apt-get install -y nginx):
 *   npx tsc -p . && node dist/bench/k6-vus-memory.js [--duration 60] [--vus 1000,5000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { need, run, startNginx } from './lib/nginx.js';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '60' }, vus: { type: 'string', default: '1000,5000' } },
});
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PORT = 18_902;
const dir = mkdtempSync(join(tmpdir(), 'perfloop-k6-mem-'));
const script = join(dir, 'sleepy.js');
writeFileSync(
  script,
  `import http from 'k6/http';
import { check, sleep } from 'k6';
export default function () {
  const res = http.get('http://127.0.0.1:${PORT}/');
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(1);
}
`,
);
const GOALS: Record<number, number> = { 1000: 300, 5000: 600 };

need('nginx');
need('/usr/bin/time');
const nginx = startNginx(PORT);
try {
  await new Promise((r) => setTimeout(r, 500));
  for (const vus of values.vus.split(',').map(Number)) {
    const { out, maxRssKb } = await run(process.execPath, [
      join(root, 'bin', 'perfloop.js'),
      'load',
      script,
      '-u',
      String(vus),
      '-d',
      `${values.duration}s`,
      '--json',
      '-q',
    ]);
    const j = JSON.parse(out) as {
      metrics: { http_reqs: { rate: number }; iterations: { count: number }; vus_max: { value: number } };
    };
    const mb = maxRssKb / 1024;
    const goal = GOALS[vus];
    console.log(
      `${vus} VUs × ${values.duration} s: peak RSS ${mb.toFixed(0)} MB (${((mb * 1024) / vus).toFixed(0)} kB per VU), ` +
        `${j.metrics.http_reqs.rate.toFixed(0)} req/s, iterations ${((100 * j.metrics.iterations.count) / (vus * Number(values.duration))).toFixed(0)} % of ${vus} VUs × ${values.duration} s (sleep(1); k6 gets ≈ 100 %)` +
        (goal ? `   goal < ${goal} MB: ${mb < goal ? 'met' : 'MISSED'}` : ''),
    );
  }
} finally {
  nginx.proc.kill('SIGQUIT');
  await new Promise((r) => nginx.proc.once('exit', r));
  rmSync(nginx.dir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
