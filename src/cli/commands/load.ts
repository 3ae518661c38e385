import { writeFileSync } from 'node:fs';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { MetricSet } from '../../core/metric-set.js';
import { durationFlag, numberFlag, parseHeaderFlags } from '../../load/cli-options.js';
import { runLoad } from '../../load/engine.js';
import { statusPrinter } from '../../load/live-status.js';
import type { LoadScriptOptions } from '../../load/options.js';
import type { PointsOutput } from '../../load/output/points-file.js';
import { summaryExport } from '../../load/output/summary-export.js';
import { defineBuiltinMetrics } from '../../load/recorder.js';
import type { LoadResult } from '../../load/result.js';
import { declaredMetrics } from '../../load/script/api.js';
import { applyK6Env } from '../../load/k6/cli-flags.js';
import { defineLoad, loadSourceFile, type LoadSource } from '../../load/load-definition.js';
import { isK6Script } from '../../load/k6/imports.js';

/** A k6 script's handleSummary(data), when it has one. */
async function k6HandleSummary(
  script: string,
  result: LoadResult,
  options: LoadScriptOptions,
  io: CommandIO,
): Promise<boolean> {
  if (!isK6Script(script)) return false;
  const [{ importScript }, { runHandleSummary }] = await Promise.all([
    import('../../load/script/module.js'),
    import('../../load/k6/summary-data.js'),
  ]);
  return runHandleSummary(await importScript(script), result, options, io);
}
import { formatSummary } from '../../load/summary.js';
import { STORE_OPTION, storeFlag } from '../store-option.js';
import { waitForStart } from '../../scale/start-barrier.js';
import { withThresholdFlags } from '../../load/thresholds/thresholds.js';
import type { Command, CommandIO, ParsedValues } from '../command.js';
import { list, str } from '../parse.js';

/*
 * What only some runs need (--out, --dashboard, --store, --frame-result, a k6 script's
 * handleSummary) is imported when they ask for it: URL mode's start-up CPU is part of every short run's cost.
 */

/** Writes the run's outputs (result, summary export) and prints the summary; returns the exit code. */
export function reportLoadResult(
  result: LoadResult,
  v: ParsedValues,
  io: CommandIO,
  /** The script's handleSummary() printed its own summary (k6 then prints none). */
  summaryHandled = false,
): number {
  const resultFile = str(v, 'result');
  if (resultFile) writeFileSync(resultFile, `${JSON.stringify(result.toJSON())}\n`);
  const exportFile = str(v, 'summary-export');
  if (exportFile) writeFileSync(exportFile, `${JSON.stringify(summaryExport(result), null, 2)}\n`);
  const summary = formatSummary(result, { color: io.isTTY && !process.env.NO_COLOR });
  if (v.json) {
    io.out(`${JSON.stringify(result.toJSON(), null, 2)}\n`);
    if (!v.quiet) io.err(summary);
  } else if (!v.quiet && !summaryHandled) io.out(summary);
  return result.thresholdsOk ? EXIT.ok : EXIT.thresholds;
}

/** What to load and with which options: a URL (quick mode), a declarative file, or a JS/TS module. */
async function target(spec: string, v: ParsedValues): Promise<LoadSource> {
  if (/^https?:\/\//i.test(spec)) {
    const body = str(v, 'body');
    return {
      requests: [
        {
          url: spec,
          method: (str(v, 'method') ?? (body !== undefined ? 'POST' : 'GET')).toUpperCase(),
          headers: parseHeaderFlags(list(v, 'header')),
          body,
        },
      ],
      options: {},
      quick: true,
    };
  }
  if (str(v, 'method') || str(v, 'body') || list(v, 'header').length > 0) {
    throw new PerfloopError('USAGE', '-m, -H and -b apply to a URL; a script sets its own requests');
  }
  return loadSourceFile(spec);
}

function workersFlag(v: string | undefined): number | 'auto' | undefined {
  if (v === undefined || v === 'auto') return v;
  return numberFlag('workers', v, 1, true);
}

export const loadCommand: Command = {
  name: 'load',
  summary: 'load-test a URL or a scenario (k6 options, thresholds, exact merged HDR latency)',
  usage:
    'perfloop load (SCRIPT|URL) [-c N] [-d DUR] [--iterations N] [--rate R] [-m METHOD -H "k: v" -b BODY] [--pipelining N] ' +
    '[--threshold EXPR …] [--json] [--summary-export FILE] [--out json=FILE|csv=FILE] [--segment i/n] [--result FILE] ' +
    '[--workers auto|N] [--timeout DUR] [--preset NAME --scale X]',
  details: [
    'SCRIPT is a JS/TS module (export const options; export default async function (ctx) { … }) or a YAML/JSON',
    'scenario (options + weighted requests with checks). -c is VUs (connections); --rate R switches to a constant',
    'arrival rate of R req/s with -c capping concurrent requests. Latency under --rate is measured from each',
    "request's intended send time (coordinated-omission correct); http_req_duration_uncorrected is shown beside it.",
    "--threshold 'p(95)<200' applies to http_req_duration; --threshold 'http_req_failed: rate<0.01' names a metric.",
    "Presets (the method's test scenarios): baseline, normal, peak, spike, endurance; --scale multiplies durations.",
    'Exit codes: 0 ok · 1 runtime failure · 2 bad script/options or unreachable target · 99 thresholds crossed.',
  ].join('\n'),
  positionals: true,
  // k6's `--http-debug` is a flag with an optional value: `--http-debug=full` also prints bodies.
  rewriteArgs: (argv) => argv.map((a) => (a === '--http-debug=full' ? '--http-debug-full' : a === '--http-debug=headers' ? '--http-debug' : a)),
  options: {
    connections: {
      type: 'string',
      short: 'c',
      arg: 'N',
      description: 'VUs (closed model), or max concurrent requests with --rate',
    },
    vus: { type: 'string', short: 'u', arg: 'N', description: "VUs (k6's -u; the same as -c)" },
    duration: { type: 'string', short: 'd', arg: 'DUR', description: 'how long, e.g. 30s' },
    iterations: {
      type: 'string',
      short: 'i',
      arg: 'N',
      description: 'run exactly N iterations (requests in URL mode)',
    },
    stage: {
      type: 'string',
      short: 's',
      arg: 'DUR:TARGET',
      multiple: true,
      description: "a ramping stage, e.g. -s 30s:10 -s 1m:0 (k6's --stage; replaces the script's execution)",
    },
    env: { type: 'string', short: 'e', arg: 'KEY=VAL', multiple: true, description: "set __ENV.KEY (k6's -e)" },
    tag: { type: 'string', arg: 'KEY=VAL', multiple: true, description: 'a tag on every sample of the test' },
    'no-thresholds': { type: 'boolean', description: 'do not evaluate thresholds (they never fail the run)' },
    'http-debug': { type: 'boolean', description: "print every request's and response's headers (k6 scripts)" },
    'http-debug-full': { type: 'boolean', description: "headers and bodies (k6's --http-debug=full)" },
    rate: { type: 'string', arg: 'R', description: 'constant arrival rate, requests per second' },
    method: { type: 'string', short: 'm', arg: 'METHOD', description: 'HTTP method (URL mode)' },
    header: {
      type: 'string',
      short: 'H',
      arg: '"k: v"',
      multiple: true,
      description: 'request header (URL mode)',
    },
    body: { type: 'string', short: 'b', arg: 'BODY', description: 'request body (URL mode)' },
    pipelining: {
      type: 'string',
      arg: 'N',
      description: 'requests in flight per HTTP/1.1 connection (URL mode: -c × N VUs)',
      default: '1',
    },
    threshold: {
      type: 'string',
      arg: 'EXPR',
      multiple: true,
      description: "k6 threshold, e.g. 'p(95)<200' or 'http_req_failed: rate<0.01'",
    },
    json: { type: 'boolean', description: 'print the perfloop/load@1 JSON (the summary goes to stderr)' },
    'summary-export': { type: 'string', arg: 'FILE', description: "write k6's end-of-test summary JSON" },
    out: {
      type: 'string',
      arg: 'json=FILE|csv=FILE|prometheus-rw=URL|otlp=URL',
      multiple: true,
      description: 'write every sample (k6 NDJSON or CSV), or push metrics while running (Prometheus remote write, OTLP/HTTP)',
    },
    segment: {
      type: 'string',
      arg: 'i/n',
      description: 'run the i-th of n deterministic shares (merge with perfloop merge)',
    },
    result: { type: 'string', arg: 'FILE', description: 'write the perfloop/load@1 JSON' },
    store: { ...STORE_OPTION, description: 'also store the test as a run in this history store (SQLite file or postgres:// URL)' },
    'start-at': {
      type: 'string',
      arg: 'TIME',
      description: 'wait until this wall-clock time (ISO 8601 or epoch ms) before starting: the start barrier of shards',
    },
    'frame-result': {
      type: 'boolean',
      description: 'shard mode (perfloop k8s): the result as a framed block at the end of stdout; thresholds are judged by the collector on merged data',
    },
    workers: { type: 'string', arg: 'auto|N', description: 'generator threads (auto: one per core)' },
    timeout: { type: 'string', arg: 'DUR', description: 'request timeout', default: '60s' },
    preset: { type: 'string', arg: 'NAME', description: 'baseline | normal | peak | spike | endurance' },
    scale: { type: 'string', arg: 'X', description: 'multiply preset durations', default: '1' },
    http2: { type: 'boolean', description: 'HTTP/2 (h2c for http://, ALPN for https://)' },
    insecure: { type: 'boolean', description: 'accept invalid TLS certificates' },
    seed: { type: 'string', arg: 'N', description: 'seed of {{rand:N}} and the weighted pick', default: '1' },
    quiet: { type: 'boolean', short: 'q', description: 'no progress and no summary' },
    dashboard: { type: 'string', arg: 'URL|local', description: 'stream each second to a running perfloop ui (its Live page); `local` starts one for this run' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    if (positionals.length !== 1)
      throw new PerfloopError('USAGE', 'perfloop load: give one SCRIPT or URL', { hint: this.usage });
    applyK6Env(v);
    const t = await target(positionals[0], v);
    const pipelining = numberFlag('pipelining', str(v, 'pipelining'), 1, true) ?? 1;
    const connections =
      numberFlag('connections', str(v, 'connections'), 1, true) ?? numberFlag('vus', str(v, 'vus'), 1, true);
    const flags = {
      // URL mode: -c connections, each with --pipelining requests in flight (VUs = c × p), as autocannon.
      vus: t.quick && pipelining > 1 ? (connections ?? 10) * pipelining : connections,
      durationMs: durationFlag('duration', str(v, 'duration')),
      iterations: numberFlag('iterations', str(v, 'iterations'), 1, true),
      rate: numberFlag('rate', str(v, 'rate'), 0),
    };
    const definition = defineLoad(
      t,
      { ...flags, preset: str(v, 'preset'), scale: numberFlag('scale', str(v, 'scale'), 0) },
      v,
    );
    const options = definition.options;
    const thresholds = v['no-thresholds']
      ? undefined
      : withThresholdFlags(options.thresholds, list(v, 'threshold'));

    const outputs: PointsOutput[] = [];
    const defs = defineBuiltinMetrics(new MetricSet());
    const def = (name: string) =>
      defs.def(name) ?? (declaredMetrics().get(name) ? { name, ...declaredMetrics().get(name)! } : undefined);
    const thresholdStrings = Object.fromEntries(
      Object.entries(thresholds ?? {}).map(([k, x]) => [
        k,
        (Array.isArray(x) ? x : [x]).map((e) =>
          typeof e === 'string' ? e : String((e as { threshold?: unknown }).threshold),
        ),
      ]),
    );
    try {
      const outSpecs = list(v, 'out');
      const [streamingOutputs, points] = outSpecs.length
        ? await Promise.all([import('../../scale/outputs/index.js'), import('../../load/output/points-file.js')])
        : [null, null];
      for (const spec of outSpecs) {
        const streaming = streamingOutputs!.streamingOutput(spec, def, io.err);
        if (streaming) {
          outputs.push(streaming);
          continue;
        }
        const o = points!.parseOutSpec(spec);
        outputs.push(o.format === 'json' ? points!.ndjsonOutput(o.path, def, thresholdStrings) : points!.csvOutput(o.path));
      }
      await waitForStart(str(v, 'start-at'), io);
      const status = v.quiet ? null : statusPrinter(io.err, io.isTTY);
      const dashboard = str(v, 'dashboard')
        ? await (await import('../../ui/run-dashboard.js')).openRunDashboard(str(v, 'dashboard')!, `perfloop load ${positionals[0]}`, { storePath: str(v, 'store') === undefined ? null : storeFlag(v, io), log: (l) => io.err(`perfloop load: ${l}\n`) })
        : null;
      const result = await runLoad({
        requests: t.requests,
        script: t.script,
        options,
        thresholds: thresholds ?? (v['no-thresholds'] ? {} : undefined),
        timeoutMs: durationFlag('timeout', str(v, 'timeout')),
        pipelining,
        seed: numberFlag('seed', str(v, 'seed'), 0, true),
        signal: io.signal,
        onProgress:
          status || dashboard
            ? (p) => {
                status?.update(p);
                dashboard?.progress(p);
              }
            : undefined,
        segment: str(v, 'segment'),
        workers: workersFlag(str(v, 'workers')),
        http2: !!v.http2,
        insecure: !!v.insecure,
        onPoint: outputs.length ? points!.combine(outputs) : undefined,
        preset: definition.preset?.report,
      });
      status?.clear();
      await dashboard?.done();
      if (v['frame-result']) {
        // A shard's verdict is the merged one (perfloop k8s run): a crossed threshold here is not a failed pod.
        const { frameResult } = await import('../../scale/result-frame.js');
        io.out(frameResult(JSON.stringify(result.toJSON())));
        return EXIT.ok;
      }
      if (str(v, 'store') !== undefined)
        await (await import('../store-load-run.js')).storeLoadRun(v, io, result, positionals[0], 'perfloop load');
      const handled = t.script ? await k6HandleSummary(t.script, result, options, io) : false;
      return reportLoadResult(result, v, io, handled) as 0 | 99;
    } finally {
      for (const o of outputs) await o.close();
    }
  },
};
