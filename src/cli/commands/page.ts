import { resolve } from 'node:path';
import { EXIT, PerfloopError, type ExitCode } from '../../core/errors.js';
import { parseDuration } from '../../load/duration.js';
import { loadBudget } from '../../gate/budget.js';
import { checkPageBudgets, type PageBudgetResult } from '../../gate/budget-pages.js';
import { runPages, type PageReport } from '../../loop/run-page.js';
import { THROTTLING_PRESETS, throttlingOf } from '../../page/throttling.js';
import { TIMING_NAMES } from '../../page/types.js';
import type { Command } from '../command.js';
import { int, str } from '../parse.js';
import { STORE_OPTION, storeFlag } from '../store-option.js';

function urlOf(text: string): string {
  try {
    const u = new URL(text);
    if (u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'file:') return u.href;
  } catch {
    /* reported below */
  }
  throw new PerfloopError('USAGE', `perfloop page: ${JSON.stringify(text)} is not an http(s) URL`);
}

function readyOf(ready: string | undefined, firstUrl: string): { port: number; host?: string } | { url: string } {
  if (ready && /^\d+$/.test(ready)) return { port: Number(ready) };
  if (ready) return { url: ready };
  const u = new URL(firstUrl);
  return { port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), host: u.hostname };
}

export const pageCommand: Command = {
  name: 'page',
  summary: 'load pages in Chromium N times: TTFB, DCL, load, FCP, LCP, CLS, TBT (p50/p95), waterfall, filmstrip, the page’s flame graph',
  usage:
    'perfloop page URL… [--runs N] [--cache cold|warm] [--throttling PRESET] [--cpu-slowdown-multiplier X] [--target CMD [--ready URL|PORT]] [--budget FILE] [--label TEXT] [--store PATH|URL] [--out DIR] [--json]',
  details: [
    'Each page is loaded --runs times in Debian’s Chromium (playwright-core), each cold run in a fresh browser context.',
    'The representative run is the one closest to the median LCP (else load time): its waterfall, filmstrip, the',
    'page’s own CPU profile (page.cpuprofile) and flame graph are written to --out/<run-id>/page-<n>/, with page.json',
    'and a self-contained page.html. With --target CMD the server is started (and, for Node, profiled) during the',
    'same page loads: server-flame.html beside the browser’s. Budget: the file’s "pages" limits; a crossed one exits 99.',
    `Throttling presets (Lighthouse’s names): ${Object.keys(THROTTLING_PRESETS).join(', ')}.`,
  ].join('\n'),
  positionals: true,
  options: {
    runs: { type: 'string', short: 'n', arg: 'N', description: 'loads per page', default: '5' },
    cache: { type: 'string', arg: 'cold|warm', description: 'cold: empty cache each run; warm: cache primed by one unmeasured load', default: 'cold' },
    throttling: { type: 'string', arg: 'PRESET', description: 'network + CPU emulation by Lighthouse’s preset name' },
    'cpu-slowdown-multiplier': { type: 'string', arg: 'X', description: 'CPU throttling factor (Lighthouse’s cpuSlowdownMultiplier)' },
    target: { type: 'string', arg: 'CMD', description: 'start this server first and profile it during the page loads' },
    ready: { type: 'string', arg: 'URL|PORT', description: 'readiness check of --target (default: the first URL’s port)' },
    'ready-timeout': { type: 'string', arg: 'DUR', description: 'how long to wait for --target', default: '30s' },
    budget: { type: 'string', arg: 'FILE', description: 'performance budget JSON; its "pages" limits are checked' },
    out: { type: 'string', short: 'o', arg: 'DIR', description: 'base folder of the run folders', default: 'perfloop-report' },
    label: { type: 'string', arg: 'TEXT', description: 'what this iteration changed (shown in compare, log, dashboard)' },
    store: STORE_OPTION,
    'no-store': { type: 'boolean', description: 'do not store the run' },
    json: { type: 'boolean', description: 'print perfloop/page@1 JSON' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    if (positionals.length === 0) throw new PerfloopError('USAGE', 'perfloop page: no URL given', { hint: this.usage });
    const urls = positionals.map(urlOf);
    const runs = int(v, 'runs', 1) ?? 5;
    const cache = str(v, 'cache') ?? 'cold';
    if (cache !== 'cold' && cache !== 'warm') throw new PerfloopError('USAGE', `--cache: ${JSON.stringify(cache)} is not cold or warm`);
    const slowdownText = str(v, 'cpu-slowdown-multiplier');
    const slowdown = slowdownText === undefined ? undefined : Number(slowdownText);
    if (slowdown !== undefined && !(slowdown >= 1)) throw new PerfloopError('USAGE', `--cpu-slowdown-multiplier: expected a number ≥ 1, got ${JSON.stringify(slowdownText)}`);
    const throttling = throttlingOf(str(v, 'throttling'), slowdown);
    const budget = str(v, 'budget') ? loadBudget(resolve(io.cwd, str(v, 'budget')!)) : undefined;
    const readyTimeout = parseDuration(str(v, 'ready-timeout') ?? '30s');
    if (readyTimeout === undefined) throw new PerfloopError('USAGE', `--ready-timeout: expected a duration like "30s"`);
    const target = str(v, 'target');

    const { report } = await runPages({
      urls,
      runs,
      cache,
      throttling,
      target: target ? { command: target, ready: readyOf(str(v, 'ready'), urls[0]), readyTimeoutMs: readyTimeout } : undefined,
      outDir: resolve(io.cwd, str(v, 'out') ?? 'perfloop-report'),
      cwd: io.cwd,
      label: str(v, 'label'),
      command: ['perfloop page', ...process.argv.slice(3)].join(' '),
      storePath: v['no-store'] ? null : storeFlag(v, io),
      signal: io.signal,
      log: v.json ? undefined : (line) => io.err(`${line}\n`),
    });
    const checked = budget?.pages ? checkPageBudgets(budget.pages, report.pages) : null;
    if (v.json) io.out(`${JSON.stringify({ ...report, ...(checked ? { budget: checked } : {}) }, null, 2)}\n`);
    else io.out(reportText(report, checked?.results ?? []));
    for (const key of checked?.unmeasured ?? []) io.err(`perfloop: warning: budget page ${key} was not measured\n`);
    for (const w of report.warnings) io.err(`perfloop: warning: ${w}\n`);
    let code: ExitCode = EXIT.ok;
    if (io.signal.aborted) code = EXIT.runtime;
    if (checked?.results.some((r) => !r.ok)) code = EXIT.thresholds;
    return code;
  },
};

function reportText(r: PageReport, budget: PageBudgetResult[]): string {
  const lines: string[] = [];
  for (const p of r.pages) {
    lines.push(`\n${p.url} — ${p.runs} runs (${p.cache} cache), representative run #${p.representativeRun + 1}`);
    lines.push(`  ${'metric'.padEnd(8)} ${'p50'.padStart(10)} ${'p95'.padStart(10)}`);
    for (const n of TIMING_NAMES) {
      const s = p.metrics[n];
      const f = (x: number | null) => (x === null ? '–' : String(x)).padStart(10);
      lines.push(`  ${n.padEnd(8)} ${f(s.p50)} ${f(s.p95)}`);
    }
    lines.push(`  requests: ${p.requestsByType.map((t) => `${t.type} ${t.count} (${(t.bytes / 1024).toFixed(1)} KB)`).join(', ')}`);
    lines.push(`  slowest: ${p.slowestRequests.slice(0, 3).map((q) => `${q.method} ${q.url} ${q.durationMs} ms`).join(' · ')}`);
    for (const t of p.longTasks) lines.push(`  long task at ${t.startMs} ms: ${t.durationMs} ms in ${t.topFunction ?? '(unknown)'}`);
    if (p.profiledLoad)
      lines.push(`  evidence (long tasks, CPU profile, filmstrip) from one extra profiled load: load ${p.profiledLoad.load_ms} ms, FCP ${p.profiledLoad.fcp_ms ?? '–'} ms — not in the statistics (the profiler slows a load)`);
    if (p.cpu?.top.length) lines.push(`  browser CPU top: ${p.cpu.top.slice(0, 3).map((t) => `${t.name} ${t.selfPct}%`).join(', ')}`);
    for (const e of p.errors) lines.push(`  page error: ${e}`);
  }
  if (r.server) lines.push(`\nserver CPU top: ${r.server.top.slice(0, 5).map((t) => `${t.name} ${t.selfPct}%`).join(', ')}`);
  for (const b of budget)
    lines.push(`${b.ok ? 'ok  ' : 'FAIL'} budget ${b.page} ${b.metric} ${b.of} ${b.actual ?? '–'} (max ${b.max})`);
  lines.push(`\nWrote ${r.dir}/page.html, page.json`);
  return `${lines.join('\n')}\n`;
}
