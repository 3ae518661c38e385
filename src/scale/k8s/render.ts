import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { stringify } from 'yaml';
import { PerfloopError } from '../../core/errors.js';
import { shardShellCommand } from '../shard-command.js';

export interface RenderOptions {
  /** A script file (shipped in the ConfigMap) or an http(s):// URL. */
  target: string;
  loadArgs: readonly string[];
  parallelism: number;
  /** The common start time, epoch ms (the start barrier). */
  startAt: number;
  image: string;
  namespace?: string;
  /** Names the ConfigMap and the Job (DNS-1123), e.g. perfloop-3f9a2c. */
  name: string;
  cpu: string;
  memory: string;
}

export const SCRIPT_MOUNT = '/perfloop/script';
const MANAGED_BY = { 'app.kubernetes.io/name': 'perfloop', 'app.kubernetes.io/managed-by': 'perfloop' };

/**
 * The manifests of one distributed test: a ConfigMap with the script, and an Indexed Job of N pods
 * (`completions = parallelism = N`), each running its segment. `backoffLimit: 0` and `restartPolicy: Never`
 * because a retried shard would send its share of the load a second time; `ttlSecondsAfterFinished` cleans up
 * when the coordinator that normally deletes them was itself killed. Results come back in the pods' logs
 * (a framed block, see result-frame.ts): no volume, no bucket, no operator.
 */
export function renderManifests(o: RenderOptions): Record<string, unknown>[] {
  if (!Number.isInteger(o.parallelism) || o.parallelism < 1)
    throw new PerfloopError('USAGE', `--parallelism: expected a whole number ≥ 1, got ${o.parallelism}`);
  if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(o.name))
    throw new PerfloopError('USAGE', `--name: ${JSON.stringify(o.name)} is not a Kubernetes name (lowercase letters, digits, -; ≤ 52)`);
  const isUrl = /^https?:\/\//i.test(o.target);
  const labels = { ...MANAGED_BY, 'perfloop.dev/test': o.name };
  const meta = (name: string) => ({ name, ...(o.namespace ? { namespace: o.namespace } : {}), labels });
  const scriptName = isUrl ? undefined : basename(o.target);
  const manifests: Record<string, unknown>[] = [];
  if (scriptName) {
    let content: string;
    try {
      content = readFileSync(o.target, 'utf8');
    } catch (e) {
      throw new PerfloopError('USAGE', `cannot read the script ${o.target}: ${(e as Error).message}`);
    }
    manifests.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(o.name), data: { [scriptName]: content } });
  }
  const command = shardShellCommand({
    target: scriptName ? `${SCRIPT_MOUNT}/${scriptName}` : o.target,
    loadArgs: o.loadArgs,
    parallelism: o.parallelism,
    startAt: o.startAt,
  });
  manifests.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(o.name),
    spec: {
      completionMode: 'Indexed',
      completions: o.parallelism,
      parallelism: o.parallelism,
      backoffLimit: 0,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'shard',
              image: o.image,
              command: ['/bin/sh', '-c', command],
              resources: { requests: { cpu: o.cpu, memory: o.memory }, limits: { memory: o.memory } },
              ...(scriptName ? { volumeMounts: [{ name: 'script', mountPath: SCRIPT_MOUNT, readOnly: true }] } : {}),
            },
          ],
          ...(scriptName ? { volumes: [{ name: 'script', configMap: { name: o.name } }] } : {}),
        },
      },
    },
  });
  return manifests;
}

export const manifestsYaml = (manifests: readonly Record<string, unknown>[]) =>
  manifests.map((m) => stringify(m, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
