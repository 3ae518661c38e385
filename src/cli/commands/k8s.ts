import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { collectShards, type ShardOutcome } from '../../scale/collect.js';
import { runOnCluster } from '../../scale/k8s/cluster-run.js';
import { manifestsYaml, renderManifests } from '../../scale/k8s/render.js';
import { runLocalShards } from '../../scale/local-runner.js';
import { parseStartAt } from '../../scale/start-barrier.js';
import type { Command, CommandIO, OptionSpec, ParsedValues } from '../command.js';
import { int, str } from '../parse.js';
import { STORE_OPTION } from '../store-option.js';
import { storeLoadRun } from '../store-load-run.js';
import { loadCommand, reportLoadResult } from './load.js';

/** Flags of `perfloop load` the coordinator handles itself; every other load flag is passed to each shard. */
const COORDINATOR_FLAGS = new Set(['segment', 'start-at', 'frame-result', 'result', 'json', 'summary-export', 'quiet', 'help', 'store']);
const LOAD_FLAGS = Object.fromEntries(Object.entries(loadCommand.options).filter(([k]) => !COORDINATOR_FLAGS.has(k)));

const K8S_OPTIONS: Record<string, OptionSpec> = {
  parallelism: { type: 'string', arg: 'N', description: 'pods (shards); each runs segment i/N of the load' },
  local: { type: 'string', arg: 'N', description: 'run: N local processes instead of pods (same shards, same merge)' },
  image: { type: 'string', arg: 'IMG', description: 'container image with perfloop on PATH', default: 'perfloop/perfloop:0.1.0' },
  namespace: { type: 'string', arg: 'NS', description: 'Kubernetes namespace (default: the context’s)' },
  name: { type: 'string', arg: 'NAME', description: 'name of the Job and ConfigMap (default: perfloop-<random>)' },
  cpu: { type: 'string', arg: 'CPU', description: 'CPU request of each pod', default: '1' },
  memory: { type: 'string', arg: 'MEM', description: 'memory request and limit of each pod', default: '512Mi' },
  'start-delay': {
    type: 'string',
    arg: 'DUR',
    description: 'the common start is this long after the manifests are made (room for image pulls)',
  },
  'start-at': { type: 'string', arg: 'TIME', description: 'the common start time instead (ISO 8601 or epoch ms)' },
  kubectl: { type: 'string', arg: 'PATH', description: 'kubectl to apply with (your kubeconfig and context)', default: 'kubectl' },
  context: { type: 'string', arg: 'CTX', description: 'kubeconfig context' },
  label: { type: 'string', arg: 'TEXT', description: 'label of the stored run' },
  store: STORE_OPTION,
  'no-store': { type: 'boolean', description: 'do not store the run' },
  result: { type: 'string', arg: 'FILE', description: 'write the merged perfloop/load@1 JSON' },
  json: { type: 'boolean', description: 'print the merged perfloop/load@1 JSON (the summary goes to stderr)' },
  'summary-export': { type: 'string', arg: 'FILE', description: "write k6's end-of-test summary JSON" },
  quiet: { type: 'boolean', short: 'q', description: 'no progress and no summary' },
};

/** The parsed load flags again as arguments for a shard (values equal to the default are left out). */
function loadArgs(v: ParsedValues): string[] {
  const args: string[] = [];
  for (const [name, spec] of Object.entries(LOAD_FLAGS)) {
    const value = v[name];
    if (value === undefined || value === false || value === spec.default) continue;
    if (value === true) args.push(`--${name}`);
    else for (const x of Array.isArray(value) ? value : [value]) args.push(`--${name}`, x);
  }
  return args;
}

function startTime(v: ParsedValues, local: boolean): number {
  const at = str(v, 'start-at');
  if (at !== undefined) return parseStartAt(at);
  const delay = str(v, 'start-delay');
  const ms = delay === undefined ? (local ? 5000 : 60_000) : parseDelay(delay);
  return Date.now() + ms;
}

function parseDelay(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new PerfloopError('USAGE', `--start-delay: expected a duration like 30s, got ${JSON.stringify(text)}`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
}

function target(positionals: string[], io: CommandIO): string {
  if (positionals.length !== 1) throw new PerfloopError('USAGE', 'perfloop k8s: give one SCRIPT or URL after render|run');
  const t = positionals[0];
  if (/^https?:\/\//i.test(t)) return t;
  const path = resolve(io.cwd, t);
  if (!existsSync(path)) throw new PerfloopError('USAGE', `perfloop k8s: no script ${t}`);
  return path;
}

const perfloopBin = () => [process.execPath, fileURLToPath(new URL('../../../../bin/perfloop.js', import.meta.url))];

async function render(v: ParsedValues, positionals: string[], io: CommandIO): Promise<0> {
  const parallelism = int(v, 'parallelism', 1);
  if (parallelism === undefined) throw new PerfloopError('USAGE', 'perfloop k8s render: --parallelism N is required');
  const manifests = renderManifests(renderOptions(v, target(positionals, io), parallelism, startTime(v, false)));
  io.out(manifestsYaml(manifests));
  return EXIT.ok;
}

function renderOptions(v: ParsedValues, t: string, parallelism: number, startAt: number) {
  return {
    target: t,
    loadArgs: loadArgs(v),
    parallelism,
    startAt,
    image: str(v, 'image')!,
    namespace: str(v, 'namespace'),
    name: str(v, 'name') ?? `perfloop-${randomBytes(3).toString('hex')}`,
    cpu: str(v, 'cpu')!,
    memory: str(v, 'memory')!,
  };
}

async function run(v: ParsedValues, positionals: string[], io: CommandIO): Promise<0 | 99> {
  const t = target(positionals, io);
  const local = int(v, 'local', 1);
  const parallelism = local ?? int(v, 'parallelism', 1);
  if (parallelism === undefined) throw new PerfloopError('USAGE', 'perfloop k8s run: give --parallelism N (pods) or --local N (processes)');
  const say = (line: string) => (v.quiet ? undefined : io.err(`k8s: ${line}\n`));
  const startAt = startTime(v, local !== undefined);
  let shards: ShardOutcome[];
  if (local !== undefined) {
    shards = await runLocalShards({
      target: t,
      loadArgs: loadArgs(v),
      parallelism,
      startAt,
      perfloop: perfloopBin(),
      cwd: io.cwd,
      signal: io.signal,
      onEvent: say,
    });
  } else {
    const o = renderOptions(v, t, parallelism, startAt);
    const context = str(v, 'context');
    shards = await runOnCluster({
      yaml: manifestsYaml(renderManifests(o)),
      name: o.name,
      namespace: o.namespace,
      parallelism,
      kubectl: str(v, 'kubectl')!,
      kubectlArgs: context ? ['--context', context] : [],
      signal: io.signal,
      onEvent: say,
    });
  }
  const { result, warnings } = collectShards(shards);
  for (const w of warnings) io.err(`warning: ${w}\n`);
  if (!v['no-store']) await storeLoadRun(v, io, result, t, 'perfloop k8s run');
  return reportLoadResult(result, v, io) as 0 | 99;
}

export const k8sCommand: Command = {
  name: 'k8s',
  summary: 'distributed load as a Kubernetes Indexed Job (or N local processes), judged on the merged result',
  usage:
    'perfloop k8s render (SCRIPT|URL) --parallelism N [--image IMG] [--namespace NS] [load flags]\n' +
    '       perfloop k8s run (SCRIPT|URL) (--parallelism N | --local N) [--result FILE] [--json] [--store PATH|URL] [load flags]',
  details: [
    'render prints a ConfigMap (the script) and an Indexed Job: completions = parallelism = N, backoffLimit 0 (a retried',
    'shard would send its load twice); pod i runs perfloop load … --segment $((JOB_COMPLETION_INDEX+1))/N.',
    'Start barrier: every shard waits for one absolute start time (--start-at, or now + --start-delay, default 60s; node',
    'clocks are NTP-synced): no coordinator pod, no Service, no RBAC. Results come back in the pod logs as a framed',
    'block (gzip + base64) holding each shard’s perfloop/load@1 result with its HDR histograms.',
    'run applies them with kubectl (your kubeconfig), follows the Job, reads every pod’s result, merges exactly,',
    'evaluates thresholds on the merged data, stores one run and deletes what it created (also on Ctrl-C).',
    '--local N runs the same shard commands as N processes here. A failed shard fails the run with its log tail.',
    '{shard} in a load flag value is the shard index (0…N−1), e.g. --out json=points-{shard}.ndjson.',
    'Exit codes as perfloop load: 0 ok · 1 a shard or the cluster failed · 2 bad usage · 99 thresholds crossed (merged).',
  ].join('\n'),
  positionals: true,
  options: { ...LOAD_FLAGS, ...K8S_OPTIONS, help: { type: 'boolean', short: 'h', description: 'show this help' } },
  async run(v, positionals, io) {
    const [sub, ...rest] = positionals;
    if (sub === 'render') return render(v, rest, io);
    if (sub === 'run') return run(v, rest, io);
    throw new PerfloopError('USAGE', `perfloop k8s: expected render or run${sub ? `, got ${JSON.stringify(sub)}` : ''}`, {
      hint: this.usage,
    });
  },
};
