/**
 * k6/browser (https://grafana.com/docs/k6/latest/javascript-api/k6-browser/) on playwright-core and Debian's
 * Chromium: `browser.newPage()`, `browser.newContext()`, and pages, locators and contexts with k6's API — which k6
 * modelled on Playwright's, so calls other than the ones below go straight to Playwright. The metrics keep k6's
 * names: browser_web_vital_{lcp,fcp,cls,ttfb,inp,fid} (recorded when a page navigates away or closes, as k6 does),
 * browser_http_req_duration, browser_http_req_failed, browser_data_received and browser_data_sent.
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchChromium } from '../../../page/chromium.js';
import { OBSERVER_SCRIPT, READ_SCRIPT, type RawPageTimings } from '../../../page/observer-script.js';
import { cumulativeLayoutShift } from '../../../page/web-vitals.js';
import { Counter, Rate, Trend } from './metrics.js';

const vitals = {
  lcp: new Trend('browser_web_vital_lcp', true),
  fcp: new Trend('browser_web_vital_fcp', true),
  cls: new Trend('browser_web_vital_cls'),
  ttfb: new Trend('browser_web_vital_ttfb', true),
  inp: new Trend('browser_web_vital_inp', true),
  fid: new Trend('browser_web_vital_fid', true),
};
const httpDuration = new Trend('browser_http_req_duration', true);
const httpFailed = new Rate('browser_http_req_failed');
const dataReceived = new Counter('browser_data_received');
const dataSent = new Counter('browser_data_sent');

/** One Chromium per worker, launched on first use and closed when the worker ends. */
let launched: Promise<Browser> | null = null;
const chromium = () => (launched ??= launchChromium());
process.once('beforeExit', () => void launched?.then((b) => b.close()).catch(() => {}));

async function recordVitals(page: Page): Promise<void> {
  let raw: RawPageTimings;
  try {
    if (page.isClosed() || page.url() === 'about:blank') return;
    raw = (await page.evaluate(READ_SCRIPT)) as RawPageTimings;
  } catch {
    return; // the document is gone (a navigation raced the read): its vitals are lost, as in k6 when a page crashes
  }
  const url = page.url();
  const tags = { url };
  if (raw.lcp !== null) vitals.lcp.add(raw.lcp, tags);
  if (raw.fcp !== null) vitals.fcp.add(raw.fcp, tags);
  if (raw.ttfb !== null) vitals.ttfb.add(raw.ttfb, tags);
  vitals.cls.add(cumulativeLayoutShift(raw.shifts), tags);
  if (raw.inp !== null) vitals.inp.add(raw.inp, tags);
  if (raw.fid !== null) vitals.fid.add(raw.fid, tags);
}

function recordRequest(req: Request, failed: boolean): void {
  void (async () => {
    const t = req.timing();
    const response = failed ? null : await req.response().catch(() => null);
    const tags = { url: req.url(), method: req.method(), status: String(response?.status() ?? 0), resource_type: req.resourceType() };
    if (t.responseEnd >= 0) httpDuration.add(t.responseEnd, tags);
    httpFailed.add(failed || (response?.status() ?? 0) >= 400, tags);
    const sizes = failed ? null : await req.sizes().catch(() => null);
    if (sizes) {
      dataReceived.add(sizes.responseBodySize + sizes.responseHeadersSize, tags);
      dataSent.add(sizes.requestBodySize + sizes.requestHeadersSize, tags);
    }
  })().catch(() => {});
}

/** A page as k6 scripts use it; navigations record the page they leave. */
function k6Page(page: Page): Page {
  page.on('requestfinished', (r) => recordRequest(r, false));
  page.on('requestfailed', (r) => recordRequest(r, true));
  const own: Record<string, unknown> = {
    async goto(url: string, opts?: Parameters<Page['goto']>[1]) {
      await recordVitals(page);
      return page.goto(url, opts);
    },
    async waitForNavigation(opts?: { waitUntil?: 'load' | 'domcontentloaded' | 'networkidle'; timeout?: number }) {
      return page.waitForNavigation(opts);
    },
    async close() {
      await recordVitals(page);
      return page.close();
    },
    async reload(opts?: Parameters<Page['reload']>[0]) {
      await recordVitals(page);
      return page.reload(opts);
    },
  };
  return new Proxy(page, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in own) return own[prop];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function k6Context(context: BrowserContext): BrowserContext {
  const own: Record<string, unknown> = {
    async newPage() {
      return k6Page(await context.newPage());
    },
  };
  return new Proxy(context, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in own) return own[prop];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** k6's `browser.newPage()` makes a context of its own, closed with the page. */
async function newContext(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> {
  const context = await (await chromium()).newContext(options);
  await context.addInitScript(OBSERVER_SCRIPT);
  return k6Context(context);
}

let current: BrowserContext | null = null;

export const browser = {
  newContext: async (options?: Parameters<Browser['newContext']>[0]) => (current = await newContext(options)),
  async newPage(options?: Parameters<Browser['newContext']>[0]) {
    const context = await newContext(options);
    const page = await context.newPage();
    page.once('close', () => void context.close().catch(() => {}));
    return page;
  },
  context: () => current,
  isConnected: () => launched !== null,
  version: async () => (await chromium()).version(),
  closeContext: async () => {
    await current?.close();
    current = null;
  },
};

export default { browser };
