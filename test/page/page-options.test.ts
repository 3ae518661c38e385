/** `--cache warm` and `--throttling`: what each option must change in a real load of the planted page. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../../src/page/chromium.js';
import { measurePage } from '../../src/page/measure-page.js';
import { THROTTLING_PRESETS } from '../../src/page/throttling.js';
import { tempDir } from '../helpers.js';
import { FIXED, startSlowPageServer } from './slow-page-server.js';

/** Debian's chromium: installed by .ci/run. Locally a missing browser skips; in CI it fails. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const skip = !CHROMIUM && !process.env.CI ? 'chromium is not installed (apt-get install -y chromium); browser tests skipped' : false;

test('--cache warm serves the cacheable script from the browser cache; mobileSlow4G delays the page by its request latency', { skip, timeout: 180_000 }, async () => {
  const server = await startSlowPageServer(FIXED);
  // One browser for every load of this test: each launch costs seconds on a small CI runner.
  const browser = await launchChromium();
  const dir = tempDir('perfloop-page-options-');
  const url = `${server.url}/checkout`;
  try {
    const cold = await measurePage(browser, { url, runs: 2, cache: 'cold', throttling: null, dir: join(dir, 'cold') });
    const warm = await measurePage(browser, { url, runs: 2, cache: 'warm', throttling: null, dir: join(dir, 'warm') });
    for (const l of cold.summary.perRun) assert.equal(l.cachedRequests, 0, 'a cold load takes nothing from the cache');
    const script = (r: (typeof cold.runs)[number]) => r.requests.find((q) => q.url.endsWith('/app.js'))!;
    for (const [i, l] of warm.summary.perRun.entries()) {
      assert.equal(l.cache, 'warm');
      // /app.js is served with max-age: from the cache, nothing transferred; the document and the API call are not cacheable.
      assert.equal(script(warm.runs[i]).fromCache, true, JSON.stringify(warm.runs[i].requests));
      assert.equal(script(warm.runs[i]).bytes, 0);
      assert.equal(l.cachedRequests, 1, JSON.stringify(warm.runs[i].requests.map((q) => [q.url, q.fromCache])));
      assert.equal(l.transferredBytes, cold.summary.perRun[i].transferredBytes - script(cold.runs[i]).bytes);
    }

    // DevTools' request latency is a floor every request waits, however fast or loaded the host: each request's
    // first byte comes ≥ the preset's latency after it starts, and the document and its render-blocking script are two
    // such round trips before the first paint. A ratio to the unthrottled loads is not robust here: on this 2-core
    // host at load 12 the unthrottled FCP itself reached 1.4 s (bench/page-vs-lighthouse.ts holds the ratios).
    const preset = THROTTLING_PRESETS.mobileSlow4G!;
    const slow = await measurePage(browser, { url, runs: 2, cache: 'cold', throttling: preset, dir: join(dir, 'throttled') });
    const floor = 0.9 * preset.requestLatencyMs;
    for (const [i, l] of slow.summary.perRun.entries()) {
      for (const q of slow.runs[i].requests) assert.ok(q.ttfbMs! >= floor, `${q.url}: first byte after ${q.ttfbMs} ms under ${preset.requestLatencyMs} ms latency`);
      assert.ok(l.ttfb_ms! >= floor, `throttled TTFB ${l.ttfb_ms} ms holds the ${preset.requestLatencyMs} ms latency`);
      assert.ok(l.fcp_ms! >= 2 * floor, `throttled FCP ${l.fcp_ms} ms waits two round trips`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
});
