/** The shapes `perfloop page` measures and reports (schema perfloop/page@1). Times in ms since navigation start. Core models: a run record carries them. */
export const PAGE_SCHEMA = 'perfloop/page@1';

/** The headline timings of one page load, as the method's Performance Budget row "Page load" names them. */
export interface PageTimings {
  ttfb_ms: number | null;
  dcl_ms: number | null;
  load_ms: number | null;
  fcp_ms: number | null;
  lcp_ms: number | null;
  /** Cumulative layout shift (unitless), the largest session window as web-vitals computes it. */
  cls: number | null;
  /** Total blocking time: the part of every long task beyond 50 ms, after FCP (as Lighthouse computes it). */
  tbt_ms: number | null;
}

export const TIMING_NAMES = ['ttfb_ms', 'dcl_ms', 'load_ms', 'fcp_ms', 'lcp_ms', 'cls', 'tbt_ms'] as const;
export type TimingName = (typeof TIMING_NAMES)[number];

/** One request of a page load, as the waterfall draws it. */
export interface PageRequest {
  url: string;
  method: string;
  /** Playwright's resource type: document, script, stylesheet, image, font, fetch, xhr, … */
  type: string;
  status: number | null;
  /** ms since navigation start. */
  startMs: number;
  /** Time to the first response byte, from the request's start. */
  ttfbMs: number | null;
  durationMs: number;
  /** Encoded (transferred) body bytes: 0 for a response served from the browser's cache. */
  bytes: number;
  /** Served from the browser's memory or disk cache (a warm-cache load's static assets). */
  fromCache?: boolean;
  failed?: string;
}

export interface LongTask {
  startMs: number;
  durationMs: number;
  /** The page's function that was on the CPU most during the task (from the page's CPU profile). */
  topFunction?: string | null;
}

export interface FilmstripFrame {
  /** ms since navigation start. */
  t: number;
  /** File name of the JPEG frame inside the run folder. */
  file: string;
}

export interface PageRun {
  index: number;
  cache: 'cold' | 'warm';
  timings: PageTimings;
  requests: PageRequest[];
  longTasks: LongTask[];
  /** Console errors and uncaught exceptions of the page. */
  errors: string[];
}

export interface Stat {
  p50: number | null;
  p95: number | null;
}

export interface ResourceTypeTotal {
  type: string;
  count: number;
  bytes: number;
}

/** One load of a page as `--json` lists it: its timings by the metric names of `metrics`, and what it transferred. */
export interface PageLoadSummary extends PageTimings {
  /** 0-based, in the order of the loads: `representativeRun` is an index into `perRun`. */
  index: number;
  cache: 'cold' | 'warm';
  requests: number;
  /** Bytes that crossed the network (response bodies, encoded): cache hits transfer none. */
  transferredBytes: number;
  /** Requests served from the browser's cache. */
  cachedRequests: number;
}

export interface PageSummary {
  url: string;
  /** How many loads were measured (`--runs N`); each is in `perRun`. */
  runs: number;
  metrics: Record<TimingName, Stat>;
  /** Every load, in order, with the same metric names (as `perfloop job --json` lists its runs as `perRun`). */
  perRun: PageLoadSummary[];
  /** 0-based index into `perRun` of the load closest to the median of the headline metric (LCP, else load). */
  representativeRun: number;
  headlineMetric: 'lcp_ms' | 'load_ms';
  cache: 'cold' | 'warm';
  /** The representative run's requests by type and its slowest requests. */
  requestsByType: ResourceTypeTotal[];
  slowestRequests: PageRequest[];
  /** The long tasks of the profiled load, named by the function that ran them. */
  longTasks: LongTask[];
  /**
   * The timings of the extra load that recorded the CPU profile and the filmstrip: slower than the measured loads
   * by the profiler's cost, so not in `metrics` or `perRun`.
   */
  profiledLoad?: PageTimings;
  /** The page's own JavaScript on the CPU (the profiled load): top functions. */
  cpu: { top: { name: string; file: string | null; line: number | null; selfPct: number; totalPct: number }[]; samples: number } | null;
  /** Artifact name → path relative to the run folder (waterfall, filmstrip, cpuprofile, flame graph). */
  artifacts: Record<string, string>;
  errors: string[];
}

/** One measured page as a run record keeps it: the summary, every run's timings, the representative run's evidence. */
export interface PageRecordEntry extends Omit<PageSummary, 'perRun'> {
  /** Per run, in order: what compare tests before against after. */
  timings: PageTimings[];
  /** Per request ("GET /api/orders"), its duration in each run (ms): a fixed slow call shows as improved. */
  requestTimes: Record<string, number[]>;
  waterfall: PageRequest[];
  /** Frames by artifact name (the record's `artifacts` maps each to its file). */
  filmstrip: { t: number; artifact: string }[];
}

/** RunRecord.page: what `perfloop page` measured. */
export interface PageRunData {
  pages: PageRecordEntry[];
  /** The server behind the pages (with --target): its CPU profile's top functions during the loads. */
  server: { top: { name: string; file: string | null; selfPct: number; totalPct: number }[] } | null;
}
