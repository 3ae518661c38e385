import { openRunDashboard } from '../../ui/run-dashboard.js';
import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { parseDuration } from '../../load/duration.js';
import type { RequestTemplate } from '../../load/scenario.js';
import { checkLoad } from '../../load/engine.js';
import { defineLoad, loadSourceFile, type LoadDefinition, type LoadSource } from '../../load/load-definition.js';
import { withoutExecution } from '../../load/options.js';
import { loadBudget } from '../../gate/budget.js';
import { redactUrlPassword } from '../../store/open-store.js';
import { STORE_OPTION, storeFlag } from '../store-option.js';
import { loadConfig, type PerfloopConfig } from '../../loop/config.js';
import { runService } from '../../loop/run-service.js';
import type { Command, CommandIO, ParsedValues } from '../command.js';
import { int, list, str } from '../parse.js';
import { clearProgress, progressPrinter } from '../progress.js';
import { printRunSummary } from '../print-run.js';
import { PROFILER_NAMES, type ProfilerChoice } from '../../profile/capture/runtime-capture.js';

function seconds(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new PerfloopError('USAGE', `--${flag}: expected a duration like "30s", got ${JSON.stringify(text)}`);
  return ms / 1000;
}

function requestsFrom(urls: string[], config: PerfloopConfig | undefined): RequestTemplate[] {
  const requests =
    urls.length > 0
      ? urls.map((url) => ({ url }))
      : (config?.endpoints ?? []).map((e) =>
          typeof e === 'string' ? { url: (config?.baseUrl ?? '') + e } : { ...e, url: (config?.baseUrl ?? '') + e.url },
        );
  requests.forEach((r, i) => checkUrl(r.url, urls.length > 0 ? '--url' : `endpoints[${i}]`));
  return requests;
}

/**
 * A URL to load must be absolute http(s), checked before anything starts (a target started for a URL that
 * cannot be loaded only has to be stopped again). Placeholders such as `{{rand:1000}}` are allowed in the path.
 */
function checkUrl(url: string, where: string): void {
  const fix = /^[\w.-]+(:\d+)?(\/|$)/.test(url) ? ` — did you mean http://${url}?` : '';
  if (!/^https?:\/\//i.test(url))
    throw new PerfloopError('USAGE', `${where}: ${JSON.stringify(url)} is not an http:// or https:// URL${fix}`);
  try {
    new URL(url.replace(/\{\{[^}]*\}\}/g, '0'));
  } catch {
    throw new PerfloopError('USAGE', `${where}: ${JSON.stringify(url)} is not a valid URL`);
  }
}

const LOAD_FLAGS = ['rate', 'stage', 'preset', 'iterations', 'tag'] as const;

/**
 * The load as `perfloop load` defines it — a k6/perfloop script or scenario file (positional or `script` in the
 * config), `--preset`, `--rate`, `--stage`, `--iterations`, config `stages`/`scenarios`/`thresholds` — or
 * undefined for the classic run (constant `-c` VUs over the URLs for `-d`), which keeps its fingerprint.
 * A script without execution options of its own gets the run's defaults (10 VUs for 30 s): the loop needs a
 * window to profile, where k6 would run one iteration.
 */
async function loadDefinition(
  v: ParsedValues,
  positionals: string[],
  c: PerfloopConfig | undefined,
  cwd: string,
): Promise<LoadDefinition | undefined> {
  if (positionals.length > 1)
    throw new PerfloopError('USAGE', `perfloop run: give at most one SCRIPT, got ${positionals.length} arguments`, { hint: runCommand.usage });
  const spec = positionals[0] ?? c?.script;
  const configLoad = c?.preset ?? c?.rate ?? c?.stages ?? c?.scenarios ?? c?.thresholds;
  if (spec === undefined && configLoad === undefined && LOAD_FLAGS.every((f) => v[f] === undefined || (Array.isArray(v[f]) && v[f].length === 0)))
    return undefined;
  let source: LoadSource;
  if (spec !== undefined && /^https?:\/\//i.test(spec)) {
    checkUrl(spec, 'SCRIPT');
    source = { requests: [{ url: spec }, ...requestsFrom(list(v, 'url'), undefined)], options: {}, quick: false };
  } else if (spec !== undefined) {
    if (list(v, 'url').length > 0) throw new PerfloopError('USAGE', '--url applies without a SCRIPT: a script makes its own requests');
    source = await loadSourceFile(resolve(cwd, spec));
  } else source = { requests: requestsFrom(list(v, 'url'), c), options: {}, quick: false };
  if (c?.stages || c?.scenarios)
    source.options = { ...withoutExecution(source.options), ...(c.stages ? { stages: c.stages } : { scenarios: c.scenarios }) };
  if (c?.thresholds) source.options = { ...source.options, thresholds: { ...(source.options.thresholds ?? {}), ...c.thresholds } };
  const o = source.options;
  const hasExecution = ['vus', 'duration', 'iterations', 'stages', 'scenarios'].some((k) => o[k] !== undefined);
  const vus = int(v, 'vus', 1) ?? c?.vus;
  const durationText = str(v, 'duration') ?? c?.duration;
  const presetName = str(v, 'preset') ?? c?.preset;
  const flags = {
    vus,
    durationMs: durationText === undefined ? undefined : seconds('duration', durationText, 30) * 1000,
    iterations: int(v, 'iterations', 1),
    rate: str(v, 'rate') === undefined ? c?.rate : Number(str(v, 'rate')),
  };
  const stagesGiven = list(v, 'stage').length > 0;
  // The run's defaults where neither the source nor a flag says how long or how many.
  if (!presetName && !stagesGiven && flags.iterations === undefined && !hasExecution) {
    flags.vus ??= 10;
    if (flags.rate === undefined) flags.durationMs ??= 30_000;
  }
  if (flags.rate !== undefined && flags.durationMs === undefined && flags.iterations === undefined) flags.durationMs = 30_000;
  if (presetName) {
    const given = [vus !== undefined && '-c', durationText !== undefined && '-d', flags.rate !== undefined && '--rate', flags.iterations !== undefined && '--iterations'].filter(Boolean);
    if (given.length > 0)
      throw new PerfloopError('USAGE', `--preset sets VUs and durations: drop ${given.join(', ')} (use --scale)`);
  }
  const scale = str(v, 'scale') === undefined ? c?.scale : Number(str(v, 'scale'));
  const definition = defineLoad(source, presetName ? { preset: presetName, scale } : { ...flags, scale }, v);
  await checkLoad({ requests: definition.requests, script: definition.script, options: definition.options });
  return definition;
}

function envFlags(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new PerfloopError('USAGE', `--env: expected KEY=VALUE, got ${JSON.stringify(p)}`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

function heapSnapshotCount(v: ParsedValues): number | undefined {
  const n = int(v, 'heap-snapshots', 0);
  if (n === 1) throw new PerfloopError('USAGE', '--heap-snapshots: a comparison needs at least 2 snapshots (or 0 for none)');
  return n;
}

function profilerChoice(text: string | undefined): ProfilerChoice {
  const name = text ?? 'auto';
  if (name === 'auto' || (PROFILER_NAMES as readonly string[]).includes(name)) return name as ProfilerChoice;
  throw new PerfloopError('USAGE', `--profiler: expected auto, ${PROFILER_NAMES.join(', ')}; got ${JSON.stringify(name)}`);
}

function pprofUrl(url: string): string {
  checkUrl(url, '--pprof');
  return url;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'start a service, load-test and profile it, analyse, report and store the run',
  usage:
    'perfloop run --target CMD (--url URL … | SCRIPT) [--ready URL] [--profiler auto|node|pprof|jfr|py-spy|perf|none] [--pprof URL] [--tracemalloc] [-c 20 -d 30s | --rate R | -s DUR:VUS … | --preset NAME [--scale X]] [--db URL] [--out DIR] [--label TEXT]',
  details:
    'Starts CMD (through a shell; `npm start` works) with the perfloop agent preloaded when it is Node, waits until\n' +
    'it is ready, warms up, then loads it while profiling. Writes report.md, report.json, profile.cpuprofile and\n' +
    'flame.html into --out and stores the run in the history. Without --target the service must already run.\n' +
    'Settings can come from perfloop.config.{ts,js,json} (defineConfig); flags override them.\n' +
    'URL paths may vary per request: {{rand:N}} is a uniform integer 0…N−1, {{seq}} an increasing one\n' +
    '(e.g. --url "http://127.0.0.1:3000/api/orders/{{rand:1000}}").\n' +
    'Runs are written to --out/<run-id>/ (never overwritten; --out/latest points at the newest).\n' +
    'Any load `perfloop load` takes works here: a k6 or perfloop SCRIPT (or YAML/JSON scenario file), --stage,\n' +
    '--rate, --preset (baseline, normal, peak, spike, endurance; --scale shortens them), or stages/scenarios in the\n' +
    'config. The whole measured window is profiled; the script\'s thresholds and the preset\'s success criteria\n' +
    '(spike: recovery time; endurance: latency drift and leak verdict) are judged and listed under Test Scenarios.\n' +
    'With a script and --target, readiness waits for the first http(s) URL written in the script (or --ready).\n' +
    'Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input (a target that will not start), 99 budget, threshold or\n' +
    'success criterion crossed.',
  positionals: true,
  options: {
    target: { type: 'string', arg: 'CMD', description: 'command that starts the service' },
    url: { type: 'string', multiple: true, arg: 'URL', description: 'URL to load (several are mixed evenly)' },
    dashboard: { type: 'string', arg: 'URL|local', description: 'stream each second (load and the target’s CPU/RSS) to a running perfloop ui; `local` starts one for this run' },
    env: { type: 'string', multiple: true, arg: 'K=V', description: 'environment variable for the target' },
    ready: { type: 'string', arg: 'URL|PORT', description: 'readiness check (default: the URL’s port accepts connections)' },
    'ready-timeout': { type: 'string', arg: 'DUR', description: 'how long to wait for readiness', default: '30s' },
    vus: { type: 'string', short: 'c', arg: 'N', description: 'concurrent virtual users (connections)' },
    duration: { type: 'string', short: 'd', arg: 'DUR', description: 'measured load duration' },
    warmup: { type: 'string', arg: 'DUR', description: 'warm-up before measuring (not recorded)' },
    rate: { type: 'string', arg: 'R', description: 'constant arrival rate, requests per second (-c caps concurrency)' },
    stage: { type: 'string', short: 's', arg: 'DUR:TARGET', multiple: true, description: "a ramping stage, e.g. -s 30s:10 -s 1m:50 (k6's --stage)" },
    iterations: { type: 'string', short: 'i', arg: 'N', description: 'run exactly N iterations (shared between the VUs)' },
    preset: { type: 'string', arg: 'NAME', description: "one of the method's test scenarios: baseline | normal | peak | spike | endurance" },
    scale: { type: 'string', arg: 'X', description: 'multiply preset durations (0.1: the spike in 18 s)' },
    tag: { type: 'string', arg: 'KEY=VAL', multiple: true, description: 'a tag on every sample of the load' },
    out: { type: 'string', short: 'o', arg: 'DIR', description: 'base folder of the run folders (each run writes DIR/<run-id>/)', default: 'perfloop-report' },
    'memory-phase': { type: 'string', arg: 'DUR', description: 'unmeasured load after the measured window for --heap-snapshots and --gc-probe (default: -d, at least 10s)' },
    label: { type: 'string', arg: 'TEXT', description: 'what this run is (the iteration’s change)' },
    budget: { type: 'string', arg: 'FILE', description: 'performance-budget.json; crossing it exits 99' },
    config: { type: 'string', arg: 'FILE', description: 'config file (default: perfloop.config.* in the working directory)' },
    store: STORE_OPTION,
    'no-store': { type: 'boolean', description: 'do not store the run' },
    'no-profile': { type: 'boolean', description: 'no agent: no CPU profile, heap or query capture' },
    profiler: { type: 'string', arg: 'NAME', description: 'auto (by the target\'s runtime: the agent for Node, pprof for Go, jfr for Java, py-spy or perf for Python, perf for native) | node | pprof | jfr | py-spy | perf | none', default: 'auto' },
    pprof: { type: 'string', arg: 'URL', description: 'a Go service\'s net/http/pprof base URL (default: looked for on the service\'s port)' },
    tracemalloc: { type: 'boolean', description: "Python targets: run with tracemalloc on (a sitecustomize on PYTHONPATH) and name memory growth by allocating file:line from snapshots at the window's start and end (slows allocation-heavy code)" },
    'sampling-interval': { type: 'string', arg: 'µs', description: 'CPU profiler sampling interval in µs', default: '1000' },
    'memory-limit': { type: 'string', arg: 'MB', description: 'memory limit, to project when growth reaches it' },
    'gc-probe': { type: 'string', arg: 'DUR', description: 'force a full GC in the target this often to measure the live heap (exact leak trend; costs a GC pause each)' },
    db: { type: 'string', arg: 'URL', description: 'PostgreSQL URL of the service’s database: plans and verified index advice for the slowest statements, pg_stat_statements delta (read-only; EXPLAIN runs in rolled-back transactions)' },
    'heap-snapshots': { type: 'string', arg: 'N', description: 'heap snapshots (N ≥ 2, after a forced GC) spread over the memory phase after the measured load, compared for leaks' },
    json: { type: 'boolean', description: 'print report.json to stdout' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v: ParsedValues, positionals: string[], io: CommandIO) {
    const loaded = await loadConfig(io.cwd, str(v, 'config'));
    if (loaded) io.err(`perfloop: using ${loaded.path}\n`);
    const c = loaded?.config;
    const load = await loadDefinition(v, positionals, c, io.cwd);
    const requests = load ? (load.requests ?? []) : requestsFrom(list(v, 'url'), c);
    if (requests.length === 0 && !load?.script) throw new PerfloopError('USAGE', 'perfloop run: no URL to load', { hint: 'pass --url URL or list endpoints in perfloop.config' });
    const budgetPath = str(v, 'budget') ?? c?.budget;
    if (!str(v, 'budget') && c?.budget) io.err(`perfloop: budget ${c.budget} (from ${loaded!.path})\n`);
    const printProgress = progressPrinter(io);
    const dashboard = str(v, 'dashboard')
      ? await openRunDashboard(str(v, 'dashboard')!, `perfloop run ${str(v, 'label') ?? c?.label ?? ''}`.trim(), {
          storePath: v['no-store'] ? null : storeFlag(v, io),
          log: (l) => io.err(`perfloop: ${l}\n`),
        })
      : null;
    const result = await runService({
      target: str(v, 'target') ?? c?.target,
      cwd: c?.cwd ? resolve(io.cwd, c.cwd) : io.cwd,
      env: { ...c?.env, ...envFlags(list(v, 'env')) },
      ready: str(v, 'ready') ?? c?.ready,
      readyTimeoutMs: seconds('ready-timeout', str(v, 'ready-timeout') ?? c?.readyTimeout, 30) * 1000,
      requests,
      load,
      vus: int(v, 'vus', 1) ?? c?.vus ?? 10,
      durationS: seconds('duration', str(v, 'duration') ?? c?.duration, 30),
      warmupS: seconds('warmup', str(v, 'warmup') ?? c?.warmup, 3),
      label: str(v, 'label') ?? c?.label ?? '',
      outDir: resolve(io.cwd, str(v, 'out') ?? c?.out ?? 'perfloop-report'),
      storePath: v['no-store'] ? null : storeFlag(v, io),
      budget: budgetPath ? loadBudget(resolve(io.cwd, budgetPath)) : undefined,
      profile: !v['no-profile'] && c?.profile !== false,
      profiler: profilerChoice(str(v, 'profiler')),
      pprofUrl: str(v, 'pprof') === undefined ? undefined : pprofUrl(str(v, 'pprof')!),
      tracemalloc: v.tracemalloc === true,
      samplingIntervalUs: int(v, 'sampling-interval', 50) ?? (c?.profile ? c.profile.samplingIntervalUs : undefined) ?? 1000,
      memoryLimitMb: int(v, 'memory-limit', 1) ?? c?.memoryLimitMb,
      heapSnapshots: heapSnapshotCount(v),
      memoryPhaseS: str(v, 'memory-phase') === undefined ? undefined : seconds('memory-phase', str(v, 'memory-phase'), 10),
      gcProbeS: str(v, 'gc-probe') === undefined ? undefined : seconds('gc-probe', str(v, 'gc-probe'), 0),
      db: str(v, 'db') ?? c?.db ? { url: str(v, 'db') ?? c?.db } : undefined,
      command: ['perfloop', 'run', ...process.argv.slice(3)].map(redactUrlPassword).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' '),
      signal: io.signal,
      log: (line) => io.err(`perfloop: ${line}\n`),
      onProgress: dashboard
        ? (p) => {
            printProgress(p);
            dashboard.progress(p);
          }
        : printProgress,
    });
    clearProgress(io);
    await dashboard?.done();
    if (v.json) io.out(`${JSON.stringify(result.record, null, 2)}\n`);
    else printRunSummary(io, result.record, result.outDir);
    return result.budgetPass && result.loadPass ? EXIT.ok : EXIT.thresholds;
  },
};
