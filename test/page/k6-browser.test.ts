import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, tempDir } from '../helpers.js';
import { FIXED, startSlowPageServer } from './slow-page-server.js';

/** Debian's chromium: installed by .ci/run. Locally a missing browser skips; in CI it fails. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const skip = !CHROMIUM && !process.env.CI ? 'chromium is not installed (apt-get install -y chromium); browser tests skipped' : false;

/** A k6 browser test as k6's docs write them: goto, locator, fill, click, textContent, checks, screenshot. */
const SCRIPT = `import { browser } from 'k6/browser';
import { check } from 'k6';

export const options = {
  scenarios: {
    ui: { executor: 'shared-iterations', vus: 1, iterations: 2, options: { browser: { type: 'chromium' } } },
  },
  thresholds: { checks: ['rate==1.0'], browser_web_vital_lcp: ['p(95)<60000'] },
};

export default async function () {
  const page = await browser.newPage();
  try {
    await page.goto(__ENV.BASE + '/checkout');
    check(await page.locator('h1').textContent(), { 'title is Checkout': (t) => t === 'Checkout' });
    await page.locator('#name').fill(__ENV.NAME);
    await page.locator('#go').click();
    check(await page.locator('#result').textContent(), { 'paid by Ada': (t) => t === 'Paid by Ada' });
    await page.screenshot({ path: __ENV.SHOT });
  } finally {
    await page.close();
  }
}
`;

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

test('a k6/browser script runs (goto, locator, fill, click, checks, screenshot) and reports k6’s browser metric names; a failing check exits 99', { skip, timeout: 240_000 }, async () => {
  assert.ok(CHROMIUM, 'chromium must be installed in CI (.ci/run installs it)');
  const dir = tempDir();
  writeFileSync(join(dir, 'checkout.js'), SCRIPT);
  const server = await startSlowPageServer(FIXED);
  try {
    const shot = join(dir, 'shot.png');
    const ok = await perfloop(['load', 'checkout.js', '-e', `BASE=${server.url}`, '-e', 'NAME=Ada', '-e', `SHOT=${shot}`, '--summary-export', 'summary.json'], dir);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { metrics: Record<string, Record<string, number>> };
    for (const name of ['browser_web_vital_lcp', 'browser_web_vital_fcp', 'browser_web_vital_cls', 'browser_web_vital_ttfb', 'browser_http_req_duration', 'browser_data_received'])
      assert.ok(summary.metrics[name], `${name} in ${Object.keys(summary.metrics).join(', ')}`);
    assert.ok(summary.metrics.browser_web_vital_lcp.med > 0);
    assert.ok(summary.metrics.browser_data_received.count > 0);
    assert.equal(summary.metrics.checks.passes, 4);
    assert.ok(readFileSync(shot).subarray(1, 4).toString() === 'PNG', 'the screenshot is a PNG');

    const bad = await perfloop(['load', 'checkout.js', '-e', `BASE=${server.url}`, '-e', 'NAME=Bob', '-e', `SHOT=${shot}`], dir);
    assert.equal(bad.code, 99, 'checks rate==1.0 fails when the page says "Paid by Bob"');
    assert.match(bad.stdout + bad.stderr, /✗ paid by Ada/);
  } finally {
    await server.close();
  }
});
