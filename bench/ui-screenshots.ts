/**
 * Screenshots of every dashboard page, for notes and reviews (not a test): starts `perfloop ui` on a store,
 * finds a scenario and the oldest/newest runs, and saves full-page PNGs of Runs, Scenario, Run, Compare and
 * Live (while a short load reports to it) with Debian's chromium.
 *
 * Usage: npx tsc -p . && node dist/bench/ui-screenshots.js --store PATH --out DIR
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startUiServer } from '../src/ui/server.js';

const cli = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'bin', 'perfloop.js');
const { values } = parseArgs({ options: { store: { type: 'string' }, out: { type: 'string', default: 'ui-shots' }, chromium: { type: 'string', default: '/usr/bin/chromium' } } });
if (!values.store) {
  console.error('usage: node dist/bench/ui-screenshots.js --store PATH --out DIR');
  process.exit(2);
}
const out = resolve(values.out!);
mkdirSync(out, { recursive: true });
const ui = await startUiServer({ storePath: resolve(values.store), port: 0 });
const browser = await chromium.launch({ executablePath: values.chromium, args: ['--no-sandbox'] });
try {
  const runs = ((await (await fetch(`${ui.url}api/runs?limit=1000`)).json()) as { runs: { id: string }[] }).runs;
  const newest = runs[0].id;
  const oldest = runs.at(-1)!.id;
  const root = await (await fetch(ui.url)).text();
  const scenario = /href="\/(scenarios\/[^"]+)"/.exec(root)![1];
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const shot = async (name: string, path: string) => {
    await page.goto(`${ui.url}${path}`);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    console.log(`${name}.png  ${path || '/'}`);
  };
  await shot('1-runs', '');
  await shot('2-scenario', scenario);
  await shot('3-run', `runs/${oldest}`);
  await shot('4-compare', `compare/${oldest}/${newest}`);
  await page.goto(`${ui.url}live`);
  const load = spawn(process.execPath, [cli, 'load', `${ui.url}api/runs`, '-c', '2', '-d', '8s', '-q', '--dashboard', ui.url], { stdio: 'ignore' });
  await page.waitForFunction(() => Number((globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('[data-live="elapsed"]')?.textContent?.split(' ')[0]) >= 5, undefined, { timeout: 60_000 });
  await page.screenshot({ path: join(out, '5-live.png'), fullPage: true });
  console.log('5-live.png  /live (during perfloop load --dashboard)');
  await new Promise((r) => load.on('exit', r));
} finally {
  await browser.close();
  await ui.close();
}
