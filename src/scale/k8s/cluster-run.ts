import { spawn } from 'node:child_process';
import { PerfloopError } from '../../core/errors.js';
import { logTail, type ShardOutcome } from '../collect.js';

export interface ClusterRunOptions {
  yaml: string;
  name: string;
  namespace?: string;
  parallelism: number;
  /** kubectl, with the user's kubeconfig and context (KUBECONFIG, --context through `kubectlArgs`). */
  kubectl: string;
  kubectlArgs: readonly string[];
  signal: AbortSignal;
  onEvent?: (line: string) => void;
  pollMs?: number;
}

/**
 * Applies the manifests with kubectl, follows the Job until it completes or fails, reads every pod's log and
 * deletes what it created — also when interrupted. kubectl rather than @kubernetes/client-node: it is what the
 * user already has configured (contexts, exec credential plug-ins, proxies), and it adds no dependency.
 */
export async function runOnCluster(o: ClusterRunOptions): Promise<ShardOutcome[]> {
  const ns = o.namespace ? ['-n', o.namespace] : [];
  const k = (args: string[], input?: string) => kubectl(o.kubectl, [...o.kubectlArgs, ...ns, ...args], input);
  await k(['apply', '-f', '-'], o.yaml);
  o.onEvent?.(`applied job/${o.name} (${o.parallelism} pods)`);
  try {
    let last = '';
    while (!o.signal.aborted) {
      const job = JSON.parse(await k(['get', 'job', o.name, '-o', 'json'])) as JobJson;
      const s = job.status ?? {};
      const state = `${s.active ?? 0} running, ${s.succeeded ?? 0} succeeded, ${s.failed ?? 0} failed`;
      if (state !== last) o.onEvent?.((last = state));
      const done = (s.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      if (done || (s.succeeded ?? 0) + (s.failed ?? 0) >= o.parallelism || (s.failed ?? 0) > 0) break;
      await sleep(o.pollMs ?? 2000, o.signal);
    }
    return await shardLogs(k, o.name, o.parallelism);
  } finally {
    // Deleting the Job deletes its pods (background propagation); the ConfigMap goes with the same manifests.
    await k(['delete', '-f', '-', '--ignore-not-found', '--wait=false', '--cascade=background'], o.yaml).catch((e: Error) =>
      o.onEvent?.(`warning: could not delete job/${o.name}: ${e.message}`),
    );
  }
}

interface JobJson {
  status?: { active?: number; succeeded?: number; failed?: number; conditions?: { type: string; status: string }[] };
}
interface PodJson {
  metadata: { name: string; annotations?: Record<string, string> };
  status: {
    phase: string;
    containerStatuses?: { state?: { terminated?: { exitCode: number; reason?: string } } }[];
  };
}

async function shardLogs(
  k: (args: string[]) => Promise<string>,
  name: string,
  parallelism: number,
): Promise<ShardOutcome[]> {
  const pods = (JSON.parse(await k(['get', 'pods', '-l', `job-name=${name}`, '-o', 'json'])) as { items: PodJson[] }).items;
  const byIndex = new Map<number, PodJson>();
  for (const p of pods) byIndex.set(Number(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']), p);
  const outcomes: ShardOutcome[] = [];
  for (let index = 0; index < parallelism; index++) {
    const pod = byIndex.get(index);
    if (!pod) {
      outcomes.push({ index, log: '', failure: 'has no pod (never scheduled?)', tail: '' });
      continue;
    }
    const log = await k(['logs', pod.metadata.name]).catch((e: Error) => `(no log: ${e.message})`);
    const term = pod.status.containerStatuses?.[0]?.state?.terminated;
    const failure =
      pod.status.phase === 'Succeeded'
        ? undefined
        : `pod ${pod.metadata.name} ended ${pod.status.phase}${term ? ` (exit code ${term.exitCode}${term.reason ? `, ${term.reason}` : ''})` : ''}`;
    outcomes.push({ index, log, failure, tail: logTail(log) });
  }
  return outcomes;
}

function kubectl(bin: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', (e) =>
      reject(new PerfloopError('KUBECTL', `cannot run ${bin}: ${e.message}`, { hint: 'install kubectl or pass --kubectl PATH' })),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new PerfloopError('KUBECTL', `kubectl ${args.join(' ')} failed: ${logTail(err, 3) || `exit code ${code}`}`, { exitCode: 1 })),
    );
    child.stdin.end(input ?? '');
  });
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
