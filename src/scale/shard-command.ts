/**
 * The command every shard runs, the same in a pod and in a local process: `perfloop load` on its segment
 * (JOB_COMPLETION_INDEX + 1 of N, the index Kubernetes gives each pod of an Indexed Job), waiting for the common
 * start time, printing its result as a framed block. A POSIX shell computes the segment from the variable.
 */
export interface ShardSpec {
  /** The script path as the shard sees it (in a pod: the ConfigMap mount), or the URL. */
  target: string;
  /** The load flags (already validated by the coordinator), e.g. ['-d', '10s', '--rate', '100']. */
  loadArgs: readonly string[];
  parallelism: number;
  /** The common start time, epoch ms. */
  startAt: number;
}

export function shardShellCommand(spec: ShardSpec, perfloop = 'perfloop'): string {
  const words = [
    ...spec.loadArgs,
    '--start-at',
    new Date(spec.startAt).toISOString(),
    '--frame-result',
    '--quiet',
  ].map(withShardIndex);
  return `exec ${perfloop} load ${shellQuote(spec.target)} ${words.join(' ')} --segment "$((JOB_COMPLETION_INDEX + 1))/${spec.parallelism}"`;
}

/** `{shard}` in a flag value is the shard's index (e.g. `--out json=points-{shard}.ndjson`: one file each). */
const withShardIndex = (word: string) => word.split('{shard}').map(shellQuote).join('"$JOB_COMPLETION_INDEX"');

export const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
