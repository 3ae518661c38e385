import type { BrowserContext, CDPSession, Page, Request } from 'playwright-core';
import type { V8CpuProfile } from '../profile/import/cpuprofile.js';
import { OBSERVER_SCRIPT, READ_SCRIPT, type RawPageTimings } from './observer-script.js';
import type { Throttling } from './throttling.js';
import type { PageRequest, PageTimings } from './types.js';
import { pageTimings } from './web-vitals.js';

/** The V8 sampling interval for the page's CPU profile: fine enough to see a 50 ms long task's functions. */
const PAGE_SAMPLING_US = 200;
/** After `load`, wait for the network to go quiet (late fetches, lazy images, LCP updates) — but not forever. */
const QUIET_TIMEOUT_MS = 10_000;

export interface PageLoadOptions {
  url: string;
  throttling: Throttling | null;
  navigationTimeoutMs: number;
  filmstrip: boolean;
  /** Record the page's CPU profile. It slows the load (V8 logs every compiled function while it runs). */
  profile: boolean;
  signal?: AbortSignal;
}

export interface RawFrame {
  /** ms since navigation start. */
  t: number;
  jpegBase64: string;
}

/** One page load as observed: timings, requests, the page's CPU profile and its filmstrip. */
export interface PageLoad {
  timings: PageTimings;
  rawLongTasks: [number, number][];
  requests: PageRequest[];
  profile: V8CpuProfile | null;
  frames: RawFrame[];
  errors: string[];
}

/** Loads `url` once in a new tab of `context` and measures it. The tab is closed afterwards. */
export async function measurePageLoad(context: BrowserContext, o: PageLoadOptions): Promise<PageLoad> {
  const page = await context.newPage();
  try {
    return await measureInPage(context, page, o);
  } finally {
    await page.close().catch(() => {});
  }
}

async function measureInPage(context: BrowserContext, page: Page, o: PageLoadOptions): Promise<PageLoad> {
  await page.addInitScript(OBSERVER_SCRIPT);
  const cdp = await context.newCDPSession(page);
  await applyThrottling(cdp, o.throttling);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const finished: Promise<RequestRecord | null>[] = [];
  page.on('requestfinished', (r) => finished.push(recordRequest(r)));
  page.on('requestfailed', (r) => finished.push(recordRequest(r, r.failure()?.errorText ?? 'failed')));
  const frames = o.filmstrip ? await startFilmstrip(cdp) : null;
  const cached = await watchCacheHits(cdp);

  if (o.profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: PAGE_SAMPLING_US });
    await cdp.send('Profiler.start');
  }
  const stopOnAbort = () => void page.close().catch(() => {});
  o.signal?.addEventListener('abort', stopOnAbort, { once: true });
  try {
    await page.goto(o.url, { waitUntil: 'load', timeout: o.navigationTimeoutMs });
    await page.waitForLoadState('networkidle', { timeout: QUIET_TIMEOUT_MS }).catch(() => {});
    const raw = (await page.evaluate(READ_SCRIPT)) as RawPageTimings;
    const profile = o.profile ? ((await cdp.send('Profiler.stop')) as unknown as { profile: V8CpuProfile }).profile : null;
    if (frames) await cdp.send('Page.stopScreencast').catch(() => {});
    const requests = (await Promise.all(finished))
      .filter((r): r is RequestRecord => r !== null)
      .map((r) => toPageRequest(r, raw.timeOrigin, cached))
      .sort((a, b) => a.startMs - b.startMs);
    return {
      timings: withDocumentTtfb(pageTimings(raw), requests, page.url()),
      rawLongTasks: raw.longTasks,
      requests,
      profile,
      frames: (frames ?? []).map((f) => ({ t: Math.max(0, Math.round(f.epochS * 1000 - raw.timeOrigin)), jpegBase64: f.data })),
      errors,
    };
  } finally {
    o.signal?.removeEventListener('abort', stopOnAbort);
    await cdp.detach().catch(() => {});
  }
}

/**
 * TTFB as the network layer saw the document's first byte (its start + its time to first byte). Navigation
 * Timing's responseStart does not include DevTools' emulated request latency (a mobileSlow4G load read 28 ms
 * against the document request's 567 ms), so throttled TTFB would be wrong; unthrottled the two agree within
 * a fraction of a millisecond. Navigation Timing stays the answer when the document request is not seen.
 */
function withDocumentTtfb(t: PageTimings, requests: readonly PageRequest[], finalUrl: string): PageTimings {
  const docs = requests.filter((r) => r.type === 'document' && !r.failed && r.ttfbMs !== null);
  const doc = docs.find((r) => r.url === finalUrl) ?? docs[0];
  if (!doc) return t;
  return { ...t, ttfb_ms: Math.round((doc.startMs + doc.ttfbMs!) * 10) / 10 };
}

/**
 * The URLs the browser served from its memory or disk cache in this load. Playwright does not say (and its body
 * size of a cache hit is negative: 0 encoded bytes minus the headers), DevTools' Network domain does:
 * `requestServedFromCache` (memory cache) and `fromDiskCache` on the response.
 */
async function watchCacheHits(cdp: CDPSession): Promise<Set<string>> {
  const urls = new Map<string, string>();
  const hits = new Set<string>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.requestServedFromCache', (e) => {
    const url = urls.get(e.requestId);
    if (url) hits.add(url);
  });
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) hits.add(e.response.url);
  });
  await cdp.send('Network.enable');
  return hits;
}

/** DevTools throttling: Lighthouse's "devtools" method, the same CDP calls it makes. */
async function applyThrottling(cdp: CDPSession, t: Throttling | null): Promise<void> {
  if (!t) return;
  if (t.requestLatencyMs > 0 || t.downloadThroughputKbps > 0) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: t.requestLatencyMs,
      downloadThroughput: t.downloadThroughputKbps > 0 ? (t.downloadThroughputKbps * 1024) / 8 : -1,
      uploadThroughput: t.uploadThroughputKbps > 0 ? (t.uploadThroughputKbps * 1024) / 8 : -1,
    });
  }
  if (t.cpuSlowdownMultiplier > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: t.cpuSlowdownMultiplier });
}

interface ScreencastFrame {
  epochS: number;
  data: string;
}

/** Screencast frames (one per visual change), small JPEGs: the filmstrip. */
async function startFilmstrip(cdp: CDPSession): Promise<ScreencastFrame[]> {
  const frames: ScreencastFrame[] = [];
  cdp.on('Page.screencastFrame', (f) => {
    frames.push({ epochS: f.metadata.timestamp ?? Date.now() / 1000, data: f.data });
    cdp.send('Page.screencastFrameAck', { sessionId: f.sessionId }).catch(() => {});
  });
  await cdp.send('Page.startScreencast', { format: 'jpeg', quality: 50, maxWidth: 480, maxHeight: 360, everyNthFrame: 1 });
  return frames;
}

interface RequestRecord {
  request: Request;
  status: number | null;
  bytes: number;
  failed?: string;
}

async function recordRequest(request: Request, failed?: string): Promise<RequestRecord | null> {
  try {
    const response = failed ? null : await request.response();
    const sizes = failed ? null : await request.sizes().catch(() => null);
    return { request, status: response?.status() ?? null, bytes: sizes?.responseBodySize ?? 0, ...(failed ? { failed } : {}) };
  } catch {
    return null; // the tab closed while the request was read (an abort): it is not part of the load
  }
}

function toPageRequest(r: RequestRecord, timeOrigin: number, cached: ReadonlySet<string>): PageRequest {
  const t = r.request.timing();
  const fromCache = cached.has(r.request.url());
  const duration = t.responseEnd >= 0 ? t.responseEnd : 0;
  return {
    url: r.request.url(),
    method: r.request.method(),
    type: r.request.resourceType(),
    status: r.status,
    startMs: Math.round((t.startTime - timeOrigin) * 10) / 10,
    ttfbMs: t.responseStart >= 0 ? Math.round(t.responseStart * 10) / 10 : null,
    durationMs: Math.round(duration * 10) / 10,
    // Nothing crossed the network for a cache hit.
    bytes: fromCache ? 0 : Math.max(0, r.bytes),
    ...(fromCache ? { fromCache } : {}),
    ...(r.failed ? { failed: r.failed } : {}),
  };
}

