import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startUiServer } from '../../src/ui/server.js';
import { cliPath, tempDir } from '../helpers.js';
import { FIXED, SLOW, startSlowPageServer } from './slow-page-server.js';

/** Debian's chromium: installed by .ci/run. Locally a missing browser skips; in CI it fails. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const skip = !CHROMIUM && !process.env.CI ? 'chromium is not installed (apt-get install -y chromium); browser tests skipped' : false;
if (skip) console.log(`# ${skip}`);

function perfloop(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface PageJson {
  schema: string;
  dir: string;
  pages: {
    url: string;
    runs: number;
    metrics: Record<string, { p50: number | null; p95: number | null }>;
    representativeRun: number;
    slowestRequests: { url: string; durationMs: number }[];
    longTasks: { durationMs: number; topFunction: string | null }[];
    cpu: { top: { name: string; file: string | null }[] } | null;
    artifacts: Record<string, string>;
  }[];
}

test('perfloop page: the planted long task shows as TBT and by name in the page’s flame graph, the slow API call tops the waterfall, a page budget fails then passes, and compare calls both fixes improved', { skip, timeout: 300_000 }, async () => {
  assert.ok(CHROMIUM, 'chromium must be installed in CI (.ci/run installs it)');
  const dir = tempDir();
  const store = join(dir, 'runs.db');
  writeFileSync(join(dir, 'budget.json'), JSON.stringify({ pages: { '/checkout': { tbt_ms: { max: 150 }, load_ms: { max: 60_000 } } } }));
  const slow = await startSlowPageServer(SLOW);
  const fixed = await startSlowPageServer(FIXED);
  try {
    const common = ['--runs', '2', '--store', store, '--out', join(dir, 'out'), '--budget', 'budget.json', '--json'];
    const before = await perfloop(['page', `${slow.url}/checkout`, '--label', 'slow page', ...common], dir);
    assert.equal(before.code, 99, `the TBT budget must fail on the slow page: ${before.stderr}`);
    const doc = JSON.parse(before.stdout) as PageJson;
    assert.equal(doc.schema, 'perfloop/page@1');
    const p = doc.pages[0];
    assert.equal(p.runs, 2);
    for (const m of ['ttfb_ms', 'dcl_ms', 'load_ms', 'fcp_ms', 'lcp_ms', 'cls', 'tbt_ms']) assert.ok(m in p.metrics, `metric ${m}`);
    assert.ok(p.metrics.tbt_ms.p50! > 200, `TBT of a 400 ms long task: ${p.metrics.tbt_ms.p50}`);
    assert.ok(p.longTasks.some((t) => t.durationMs >= 300 && t.topFunction === 'plantedLongTask'), JSON.stringify(p.longTasks));
    // (program) — the browser's own native work — can outrank it on a loaded machine; among the page's functions it leads.
    assert.equal(p.cpu?.top.find((t) => t.file?.endsWith('/app.js'))?.name, 'plantedLongTask', JSON.stringify(p.cpu?.top));
    // Among the slowest with its planted 600 ms (on a machine at load 25 even /app.js can take longer, so not "first").
    const api = p.slowestRequests.find((r) => r.url.endsWith('/api/slow'));
    assert.ok(api && api.durationMs >= 550, `the planted 600 ms API call: ${JSON.stringify(p.slowestRequests)}`);
    assert.ok([0, 1].includes(p.representativeRun));

    const pageDir = join(doc.dir, 'page-1');
    assert.ok(readFileSync(join(pageDir, 'flame.html'), 'utf8').includes('plantedLongTask'), 'the flame graph names the long task’s function');
    const waterfall = JSON.parse(readFileSync(join(pageDir, 'waterfall.json'), 'utf8')) as { url: string; type: string }[];
    assert.deepEqual(waterfall.map((r) => `${r.type} ${new URL(r.url).pathname}`).sort(), ['document /checkout', 'fetch /api/slow', 'script /app.js']);
    const html = readFileSync(join(doc.dir, 'page.html'), 'utf8');
    assert.ok(html.includes('/api/slow') && html.includes('class="waterfall"'), 'the waterfall in page.html');
    assert.ok(html.includes('data:image/jpeg;base64,'), 'the filmstrip in page.html');

    const after = await perfloop(['page', `${fixed.url}/checkout`, '--label', 'fixed page', ...common], dir);
    assert.equal(after.code, 0, `the budget passes once fixed: ${after.stderr}`);

    const cmp = await perfloop(['compare', 'slow page', 'fixed page', '--store', store, '--json'], dir);
    assert.equal(cmp.code, 0, cmp.stderr);
    const c = JSON.parse(cmp.stdout) as { schema: string; metrics: { metric: string; verdict: string }[] };
    assert.equal(c.schema, 'perfloop/page-compare@1');
    const verdict = (m: string) => c.metrics.find((x) => x.metric === m)?.verdict;
    assert.equal(verdict('tbt_ms'), 'improved');
    assert.equal(verdict('GET /api/slow'), 'improved');
    assert.equal(verdict('cls'), 'same');

    // The dashboard's page of the stored slow run: waterfall with the slow call, filmstrip frames served as images.
    const ui = await startUiServer({ storePath: store, port: 0 });
    try {
      const html = await (await fetch(`${ui.url}runs/${doc.dir.split('/').pop()}`)).text();
      assert.ok(html.includes('class="waterfall"') && html.includes('/api/slow'), 'waterfall on the dashboard');
      assert.ok(html.includes('plantedLongTask'), 'the long task’s function on the dashboard');
      const frame = /<img src="([^"]+)"/.exec(html)?.[1];
      assert.ok(frame, 'a filmstrip frame');
      const img = await fetch(new URL(frame.replace(/&amp;/g, '&'), ui.url));
      assert.equal(img.headers.get('content-type'), 'image/jpeg');
      assert.deepEqual([...new Uint8Array(await img.arrayBuffer()).subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
    } finally {
      await ui.close();
    }
  } finally {
    await slow.close();
    await fixed.close();
  }
});

test('perfloop page: an unreachable page is one line and exit 2', { skip, timeout: 120_000 }, async () => {
  const dir = tempDir();
  const gone = await startSlowPageServer(FIXED);
  const url = `${gone.url}/nothing`;
  await gone.close(); // a port that was just free: nothing listens there now
  const r = await perfloop(['page', url, '--runs', '1', '--no-store', '--out', dir], dir);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.startsWith(`perfloop: PAGE_LOAD_FAILED: ${url}: net::ERR_CONNECTION_REFUSED`), r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');
});
