import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { exportRun } from '../../src/ui/export.js';
import { startUiServer } from '../../src/ui/server.js';
import { cliPath, tempDir } from '../helpers.js';
import { fixtureStore } from './fixture-store.js';

// What the functions evaluated in the page see (the project compiles without the DOM library).
declare const document: {
  documentElement: { getAttribute(name: string): string | null };
  querySelector(selector: string): { textContent: string | null } | null;
};
declare const window: unknown;

/** Debian's chromium: installed by .ci/run. Locally a missing browser skips; in CI it fails. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const skip = !CHROMIUM && !process.env.CI ? 'chromium is not installed (apt-get install -y chromium); browser tests skipped' : false;
if (skip) console.log(`# ${skip}`);

const RUNS = [
  { label: 'baseline', latencyMs: 120 },
  { label: 'batch order query', latencyMs: 60 },
  { label: 'index orders', latencyMs: 30 },
];

async function withBrowser(fn: (b: Browser) => Promise<void>): Promise<void> {
  assert.ok(CHROMIUM, 'chromium must be installed in CI (.ci/run installs it)');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

/** Opens a page and records every console error and uncaught exception it produces. */
async function open(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

/** Waits until the page script drew `n` charts, each with a canvas. */
async function chartsDrawn(page: Page, n: number): Promise<void> {
  await page.waitForFunction((min) => Number(document.documentElement.getAttribute('data-charts-drawn')) >= min, n, { timeout: 30_000 });
  const canvases = await page.locator('.chart canvas').count();
  assert.ok(canvases >= n, `${canvases} canvases for ${n} charts`);
}

test('every page renders with its charts and no console error; run shows findings and the flame graph; compare shows both runs and verdicts', { skip }, async () => {
  const { storePath, ids } = fixtureStore(tempDir(), RUNS);
  const ui = await startUiServer({ storePath, port: 0 });
  try {
    await withBrowser(async (browser) => {
      const root = await open(browser, ui.url);
      assert.ok((await root.page.locator('svg.sparkline').count()) >= 3, 'sparklines on the Runs page');
      for (const r of RUNS) assert.ok((await root.page.textContent('main'))!.includes(r.label));
      const scenarioHref = await root.page.locator('.scenario a').first().getAttribute('href');
      assert.deepEqual(root.errors, []);

      const run = await open(browser, `${ui.url}runs/${ids[0]}`);
      await chartsDrawn(run.page, 7);
      const text = (await run.page.textContent('main'))!;
      assert.ok(text.includes('N+1: SELECT * FROM orders'), 'the db finding');
      assert.ok(text.includes('serializeOrders'), 'the hot function');
      const flame = run.page.frameLocator('iframe.flame');
      await flame.locator('#main canvas').first().waitFor({ timeout: 30_000 });
      assert.deepEqual(run.errors, []);

      const cmp = await open(browser, `${ui.url}compare/${ids[0]}/${ids[2]}`);
      await chartsDrawn(cmp.page, 5);
      const ct = (await cmp.page.textContent('main'))!;
      assert.ok(ct.includes('Before: baseline') && ct.includes('After: index orders'));
      assert.ok((await cmp.page.locator('td span[class^="v-"]').count()) >= 5, 'a verdict per metric');
      assert.match(ct, /p95 latency.*(improved|unknown|same|regressed)/s);
      await cmp.page.frameLocator('iframe.flame').locator('#main canvas').first().waitFor({ timeout: 30_000 });
      assert.deepEqual(cmp.errors, []);

      const sc = await open(browser, `${ui.url}${scenarioHref!.slice(1)}`);
      await chartsDrawn(sc.page, 6);
      assert.deepEqual(sc.errors, []);
    });
  } finally {
    await ui.close();
  }
});

test('the live page updates while a short load runs with --dashboard', { skip }, async () => {
  const { storePath } = fixtureStore(tempDir(), RUNS.slice(0, 1));
  const ui = await startUiServer({ storePath, port: 0 });
  try {
    await withBrowser(async (browser) => {
      const live = await open(browser, `${ui.url}live`);
      await chartsDrawn(live.page, 6);
      assert.match((await live.page.textContent('[data-live="state"]'))!, /waiting/);
      // The load targets the dashboard's own API: a real HTTP server on 127.0.0.1.
      const load = spawn(process.execPath, [cliPath, 'load', `${ui.url}api/runs`, '-c', '1', '-d', '4s', '-q', '--dashboard', ui.url], { stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => load.on('exit', (c) => r(c)));
      await live.page.waitForFunction(() => Number(document.querySelector('[data-live="requests"]')?.textContent) > 0, undefined, { timeout: 60_000 });
      assert.match((await live.page.textContent('[data-live="state"]'))!, /running|finished/);
      assert.equal(await exited, 0);
      await live.page.waitForFunction(() => document.querySelector('[data-live="state"]')?.textContent === 'finished', undefined, { timeout: 30_000 });
      assert.ok(Number(await live.page.textContent('[data-live="requests"]')) > 0);
      assert.deepEqual(live.errors, []);
    });
  } finally {
    await ui.close();
  }
});

test('</script><img onerror> in label, URL, function names and SQL renders as text and runs no script', { skip }, async () => {
  const dir = tempDir();
  const { storePath, ids } = fixtureStore(dir, RUNS.slice(0, 2), true);
  const ui = await startUiServer({ storePath, port: 0 });
  const out = join(dir, 'export');
  await exportRun(storePath, ids[1], out);
  try {
    await withBrowser(async (browser) => {
      const root = await open(browser, ui.url);
      const scenarioHref = (await root.page.locator('.scenario a').first().getAttribute('href'))!;
      const urls = [
        ui.url,
        `${ui.url}runs/${ids[1]}`,
        `${ui.url}compare/${ids[0]}/${ids[1]}`,
        `${ui.url}${scenarioHref.slice(1)}`,
        `${ui.url}runs/${ids[1]}/artifacts/flame`,
        pathToFileURL(join(out, 'index.html')).href,
        pathToFileURL(join(out, 'compare.html')).href,
        pathToFileURL(join(dir, ids[1], 'report.html')).href,
      ];
      for (const url of urls) {
        const { page } = await open(browser, url);
        await page.waitForLoadState('load');
        assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, `script ran on ${url}`);
        assert.equal(await page.locator('img[src="x"]').count(), 0, `an injected <img> on ${url}`);
        if (!url.includes('artifacts/flame')) {
          const text = (await page.textContent('body'))!;
          assert.ok(text.includes('<img src=x onerror="window.__pwned=1">'), `the text itself is shown on ${url}`);
        }
        await page.close();
      }
    });
  } finally {
    await ui.close();
  }
});
