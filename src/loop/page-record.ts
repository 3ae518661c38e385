import { createHash } from 'node:crypto';
import { Histogram } from '../core/histogram.js';
import type { PageRecordEntry } from '../core/page-run.js';
import { machineFingerprint, RUN_SCHEMA, type LatencySummary, type RunRecord } from '../core/run.js';
import type { MeasuredPage } from '../page/measure-page.js';
import type { Throttling } from '../page/throttling.js';
import { gitInfo } from './git.js';
import { pageKey } from '../gate/compare/page-compare.js';
import type { PageReport } from './run-page.js';

export interface PageRecordContext {
  label: string;
  target: string | null;
  command: string;
  runs: number;
  cache: 'cold' | 'warm';
  throttling: Throttling | null;
  cwd: string;
  durationS: number;
}

/**
 * A `perfloop page` run as a run record (kind "page"), so it is stored, listed, compared and shown like any run.
 * The service-shaped fields hold the page-load times (load_ms of every run, as `http_req_duration`), so lists and
 * trends show the headline number; the page's own evidence is in `page`. The scenario is the pages and how they
 * were loaded (runs, cache, throttling): runs compare only against loads of the same pages the same way.
 */
export function pageRunRecord(report: PageReport, measured: MeasuredPage[], c: PageRecordContext): RunRecord {
  const git = gitInfo(c.cwd);
  const loadTimes = measured.flatMap((m) => m.runs.map((r) => r.timings.load_ms)).filter((x): x is number => x !== null);
  const histogram = new Histogram();
  for (const ms of loadTimes) histogram.recordMs(ms);
  const requests = measured.flatMap((m) => m.waterfall);
  const failed = requests.filter((r) => r.failed || (r.status ?? 0) >= 400).length;
  const artifacts: Record<string, string> = {};
  const pages: PageRecordEntry[] = measured.map((m, i) => {
    const prefix = `page-${i + 1}/`;
    for (const [name, file] of Object.entries(m.summary.artifacts)) if (name !== 'filmstrip') artifacts[`p${i + 1}-${name}`] = prefix + file;
    const filmstrip = m.filmstrip.map((f, k) => {
      const artifact = `p${i + 1}-frame-${String(k).padStart(3, '0')}`;
      artifacts[artifact] = prefix + f.file;
      return { t: f.t, artifact };
    });
    // `perRun` is the JSON's view of `timings` (plus transfer counts): the record keeps the timings once.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { perRun, ...summary } = report.pages[i];
    return { ...summary, timings: m.runs.map((r) => r.timings), requestTimes: requestTimes(m), waterfall: m.waterfall, filmstrip };
  });
  // The first page's browser profile is the run's `profile`/`flame`, so profile diffs and the flame view work as for services.
  if (artifacts['p1-profile']) artifacts.profile = artifacts['p1-profile'];
  if (artifacts['p1-flame']) artifacts.flame = artifacts['p1-flame'];
  if (report.server) {
    artifacts['server-flame'] = report.server.flame;
    artifacts['server-profile'] = 'server.cpuprofile';
  }
  artifacts['page-json'] = 'page.json';
  artifacts['page-html'] = 'page.html';
  // By path, not URL: before and after of a fix usually listen on different ports, and compare matches pages by path.
  const spec = { urls: report.pages.map((p) => pageKey(p.url)), runs: c.runs, cache: c.cache, throttling: c.throttling };
  const scenarioId = createHash('sha256').update(JSON.stringify(['page', spec])).digest('hex').slice(0, 12);
  const paths = report.pages.map((p) => pathOf(p.url));
  return {
    schema: RUN_SCHEMA,
    kind: 'page',
    run: {
      id: report.id,
      label: c.label,
      startedAt: report.startedAt,
      durationS: c.durationS,
      target: c.target ?? report.pages.map((p) => p.url).join(' '),
      gitSha: git.sha,
      gitBranch: git.branch,
      gitDirty: git.dirty,
      scenario: {
        id: scenarioId,
        description: `page ${paths.join(', ')} · ${c.runs} ${c.cache} loads${c.throttling ? ' throttled' : ''}`,
        name: paths.join(', '),
      },
      machine: machineFingerprint(),
    },
    metrics: {
      http_req_duration: latencySummary(loadTimes),
      http_reqs: { count: requests.length, rate: 0 },
      http_req_failed: { rate: requests.length ? failed / requests.length : 0, count: failed, noResponse: requests.filter((r) => r.failed).length },
      cpu: null,
      memory: null,
      event_loop_delay: null,
    },
    endpoints: [],
    findings: [],
    artifacts,
    histograms: { http_req_duration: histogram.encode() },
    intervals: [],
    profile: pages[0]?.cpu ? { top: pages[0].cpu.top.map((t) => ({ ...t, category: 'page', action: '' })), categories: [] } : null,
    budget: null,
    measurement: {
      command: c.command,
      load: `${c.runs} ${c.cache}-cache page loads in headless Chromium${c.throttling ? `, throttled (CPU ×${c.throttling.cpuSlowdownMultiplier}, +${c.throttling.requestLatencyMs} ms latency)` : ''}`,
      vus: 1,
      durationS: c.durationS,
      warmupS: 0,
      profiler: 'V8 sampling profiler in the page (CDP Profiler, 200 µs)',
    },
    queries: null,
    timeline: [],
    warnings: report.warnings,
    page: { pages, server: report.server ? { top: report.server.top } : null },
  };
}

function requestTimes(m: MeasuredPage): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const run of m.runs)
    for (const r of run.requests) {
      if (r.failed) continue;
      (out[`${r.method} ${pathOf(r.url)}`] ??= []).push(r.durationMs);
    }
  return out;
}

function latencySummary(xs: number[]): LatencySummary {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : 0);
  return { p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), max: s.at(-1) ?? 0, mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0, count: s.length };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
