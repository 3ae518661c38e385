import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { PerfloopError } from '../core/errors.js';
import { attributeLongTasks } from './long-task-functions.js';
import { measurePageLoad, type PageLoad, type PageLoadOptions } from './measure-run.js';
import { analysePageProfile, pageFlameHtml } from './page-profile.js';
import { representativeRun, timingStats } from './stats.js';
import type { Throttling } from './throttling.js';
import type { FilmstripFrame, PageRequest, PageRun, PageSummary, ResourceTypeTotal } from './types.js';

export interface MeasurePageOptions {
  url: string;
  runs: number;
  /** cold: every run in a new browser context (empty cache); warm: one context, primed by an unmeasured load. */
  cache: 'cold' | 'warm';
  throttling: Throttling | null;
  navigationTimeoutMs?: number;
  /** Where the representative run's artifacts go (created). */
  dir: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface MeasuredPage {
  summary: PageSummary;
  runs: PageRun[];
  /** The representative run's requests (the waterfall) and filmstrip frames. */
  waterfall: PageRequest[];
  filmstrip: FilmstripFrame[];
}

const SLOWEST = 5;

/**
 * Loads one page `runs` times, uninstrumented, then once more with the CPU profiler and the screencast on: that
 * load gives the evidence (CPU profile, flame graph, filmstrip, long tasks by function), and its timings stay out
 * of the statistics. Measured here on a 2-core host, the profiler and the screencast together doubled FCP (median
 * 196 → 388 ms) and TTFB (17 → 75 ms) of a small page: timings taken under them would not be the page's.
 */
export async function measurePage(browser: Browser, o: MeasurePageOptions): Promise<MeasuredPage> {
  const loads: PageLoad[] = [];
  let profiled: PageLoad | null = null;
  const timed = { url: o.url, throttling: o.throttling, navigationTimeoutMs: o.navigationTimeoutMs ?? 30_000, filmstrip: false, profile: false, signal: o.signal };
  let shared: BrowserContext | null = null;
  const loadOnce = async (opts: PageLoadOptions): Promise<PageLoad> => {
    const context = shared ?? (await browser.newContext());
    try {
      return await measurePageLoad(context, opts);
    } finally {
      if (!shared) await context.close().catch(() => {});
    }
  };
  try {
    if (o.cache === 'warm') {
      shared = await browser.newContext();
      await measurePageLoad(shared, timed); // fills the cache, not measured
    }
    for (let i = 0; i < o.runs && !o.signal?.aborted; i++) {
      const load = await loadOnce(timed);
      loads.push(load);
      o.log?.(`${o.url} run ${i + 1}/${o.runs}: load ${load.timings.load_ms} ms, LCP ${load.timings.lcp_ms ?? '–'} ms, TBT ${load.timings.tbt_ms} ms`);
    }
    if (!o.signal?.aborted) {
      profiled = await loadOnce({ ...timed, filmstrip: true, profile: true });
      o.log?.(`${o.url} profiled load (evidence only): load ${profiled.timings.load_ms} ms, TBT ${profiled.timings.tbt_ms} ms`);
    }
  } catch (e) {
    if (o.signal?.aborted && loads.length > 0) {
      /* interrupted: keep the runs that finished */
    } else throw pageLoadError(o.url, e);
  } finally {
    await shared?.close().catch(() => {});
  }
  if (loads.length === 0) throw new PerfloopError('PAGE_INTERRUPTED', `${o.url}: interrupted before any run finished`, { exitCode: 1 });
  return summarise(o, loads, profiled);
}

function summarise(o: MeasurePageOptions, loads: PageLoad[], profiled: PageLoad | null): MeasuredPage {
  const runs: PageRun[] = loads.map((l, index) => ({
    index,
    cache: o.cache,
    timings: l.timings,
    requests: l.requests,
    longTasks: attributeLongTasks(l.rawLongTasks, l.profile),
    errors: l.errors,
  }));
  const rep = representativeRun(runs.map((r) => r.timings));
  const chosen = loads[rep.index];
  mkdirSync(o.dir, { recursive: true });
  const artifacts: Record<string, string> = { waterfall: 'waterfall.json' };
  writeFileSync(join(o.dir, 'waterfall.json'), `${JSON.stringify(chosen.requests, null, 2)}\n`);
  const evidence = profiled ?? chosen;
  const filmstrip = writeFilmstrip(o.dir, evidence);
  if (filmstrip.length) artifacts.filmstrip = 'filmstrip';
  let cpu: PageSummary['cpu'] = null;
  if (evidence.profile) {
    writeFileSync(join(o.dir, 'page.cpuprofile'), JSON.stringify(evidence.profile));
    artifacts.profile = 'page.cpuprofile';
    const analysed = analysePageProfile(evidence.profile);
    if (analysed) {
      writeFileSync(join(o.dir, 'flame.html'), pageFlameHtml(analysed, o.url));
      artifacts.flame = 'flame.html';
      cpu = {
        samples: analysed.analysis.samples,
        top: analysed.analysis.top.map((t) => ({ name: t.name, file: t.file, line: t.line, selfPct: t.selfPct, totalPct: t.totalPct })),
      };
    }
  }
  const summary: PageSummary = {
    url: o.url,
    runs: runs.length,
    metrics: timingStats(runs.map((r) => r.timings)),
    perRun: runs.map((r) => ({
      index: r.index,
      cache: r.cache,
      ...r.timings,
      requests: r.requests.length,
      transferredBytes: r.requests.reduce((sum, q) => sum + q.bytes, 0),
      cachedRequests: r.requests.filter((q) => q.fromCache).length,
    })),
    representativeRun: rep.index,
    headlineMetric: rep.metric,
    cache: o.cache,
    requestsByType: byType(chosen.requests),
    slowestRequests: [...chosen.requests].sort((a, b) => b.durationMs - a.durationMs).slice(0, SLOWEST),
    // Named by function from the profiled load; the representative run's own (unnamed) ones when there was none.
    longTasks: profiled ? attributeLongTasks(profiled.rawLongTasks, profiled.profile) : runs[rep.index].longTasks,
    ...(profiled ? { profiledLoad: profiled.timings } : {}),
    cpu,
    artifacts,
    errors: [...new Set(runs.flatMap((r) => r.errors))],
  };
  return { summary, runs, waterfall: chosen.requests, filmstrip };
}

function writeFilmstrip(dir: string, load: PageLoad): FilmstripFrame[] {
  if (load.frames.length === 0) return [];
  mkdirSync(join(dir, 'filmstrip'), { recursive: true });
  return load.frames.map((f, i) => {
    const file = `filmstrip/${String(i).padStart(3, '0')}-${f.t}ms.jpg`;
    writeFileSync(join(dir, file), Buffer.from(f.jpegBase64, 'base64'));
    return { t: f.t, file };
  });
}

function byType(requests: readonly PageRequest[]): ResourceTypeTotal[] {
  const m = new Map<string, ResourceTypeTotal>();
  for (const r of requests) {
    const cur = m.get(r.type) ?? { type: r.type, count: 0, bytes: 0 };
    cur.count++;
    cur.bytes += r.bytes;
    m.set(r.type, cur);
  }
  return [...m.values()].sort((a, b) => b.bytes - a.bytes);
}

/** A page that cannot be loaded is bad input (wrong URL, nothing listening): one line naming it. */
function pageLoadError(url: string, e: unknown): PerfloopError {
  if (e instanceof PerfloopError) return e;
  const first = String((e as Error)?.message ?? e).split('\n')[0].replace(/^page\.goto: /, '');
  return new PerfloopError('PAGE_LOAD_FAILED', `${url}: ${first}`, { hint: 'is the server running and the URL right?' });
}
