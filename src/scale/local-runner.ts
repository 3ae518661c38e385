import { spawn, type ChildProcess } from 'node:child_process';
import { logTail, type ShardOutcome } from './collect.js';
import { shardShellCommand, shellQuote, type ShardSpec } from './shard-command.js';

export interface LocalRunOptions extends ShardSpec {
  /** How to start perfloop here, e.g. [process.execPath, '/…/bin/perfloop.js']. */
  perfloop: readonly string[];
  cwd: string;
  signal: AbortSignal;
  onEvent?: (line: string) => void;
}

/**
 * Runs the shards of `perfloop k8s run --local N` as N processes on this machine, each the pod's own shell
 * command with JOB_COMPLETION_INDEX set, so the collect-and-merge path is the one a cluster run takes. When one
 * shard fails the others are stopped (the test is incomplete anyway); Ctrl-C stops them all, and each still
 * prints what it measured.
 */
export async function runLocalShards(o: LocalRunOptions): Promise<ShardOutcome[]> {
  const command = shardShellCommand(o, o.perfloop.map(shellQuote).join(' '));
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  };
  o.signal.addEventListener('abort', stopAll, { once: true });
  try {
    return await Promise.all(
      Array.from({ length: o.parallelism }, (_, index) =>
        new Promise<ShardOutcome>((resolve) => {
          const child = spawn('/bin/sh', ['-c', command], {
            cwd: o.cwd,
            env: { ...process.env, JOB_COMPLETION_INDEX: String(index) },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          children.push(child);
          o.onEvent?.(`shard ${index + 1}/${o.parallelism} started (pid ${child.pid})`);
          const out: Buffer[] = [];
          let err = '';
          child.stdout!.on('data', (d: Buffer) => out.push(d));
          child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-16_384)));
          const done = (failure?: string) => {
            const log = Buffer.concat(out).toString('utf8');
            if (failure) stopAll();
            o.onEvent?.(`shard ${index + 1}/${o.parallelism} ${failure ?? 'finished'}`);
            resolve({ index, log, failure, tail: logTail(`${err}`) || logTail(log) });
          };
          child.on('error', (e) => done(`could not start: ${e.message}`));
          child.on('close', (code, signal) =>
            done(
              signal === 'SIGTERM' && o.signal.aborted
                ? 'was stopped by the interrupt before it had a result'
                : signal
                  ? `was killed by ${signal}`
                  : code === 0
                    ? undefined
                    : `exited with code ${code}`,
            ),
          );
        }),
      ),
    );
  } finally {
    o.signal.removeEventListener('abort', stopAll);
  }
}
