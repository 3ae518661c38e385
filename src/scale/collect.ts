import { PerfloopError } from '../core/errors.js';
import { mergeLoadResults } from '../load/merge.js';
import { LOAD_SCHEMA, type LoadResult } from '../load/result.js';
import { unframeResult } from './result-frame.js';

/** What one shard left behind, however it ran (a local process, a pod). */
export interface ShardOutcome {
  /** 0-based, as JOB_COMPLETION_INDEX. */
  index: number;
  /** Its stdout (local) or log (pod): the framed result is at the end. */
  log: string;
  /** Why it failed, when it did: "exit code 1", "killed by SIGKILL", "pod phase Failed (OOMKilled)". */
  failure?: string;
  /** The last lines it printed, for the error message. */
  tail: string;
}

type LoadDoc = Parameters<typeof mergeLoadResults>[0][number];

const TAIL_LINES = 20;
export const logTail = (text: string, lines = TAIL_LINES) => text.trimEnd().split('\n').slice(-lines).join('\n');

/**
 * The one global result of a distributed test: every shard's result read from its framed block and merged exactly
 * (HDR histograms, counters), with the thresholds evaluated on the merged data — so a count or a rate over the
 * whole fails even when every shard alone passed. Any shard that failed or left no result fails the run (exit 1)
 * with its log tail: a merge of fewer shards would silently be a smaller test.
 */
export function collectShards(shards: readonly ShardOutcome[], extraThresholds: readonly string[] = []): {
  result: LoadResult;
  warnings: string[];
} {
  const n = shards.length;
  const docs: LoadDoc[] = [];
  const failed: string[] = [];
  for (const s of [...shards].sort((a, b) => a.index - b.index)) {
    const name = `shard ${s.index + 1}/${n}`;
    const json = s.failure ? undefined : unframeResult(s.log);
    if (json === undefined) {
      failed.push(`${name} ${s.failure ?? 'left no result'}; its log ends:\n${indent(s.tail || '(empty)')}`);
      continue;
    }
    const doc = JSON.parse(json) as LoadDoc;
    if (doc?.schema !== LOAD_SCHEMA) {
      failed.push(`${name}: its result is not ${LOAD_SCHEMA}`);
      continue;
    }
    docs.push(doc);
  }
  if (failed.length > 0)
    throw new PerfloopError('SHARD_FAILED', `${failed.length} of ${n} shards failed, so the test is incomplete:\n${failed.join('\n')}`, {
      exitCode: 1,
      hint: 'a shard is never retried (it would send its load twice); fix the cause and run again',
    });
  const starts = docs.map((d) => Date.parse(d.startedAt));
  const spreadS = (Math.max(...starts) - Math.min(...starts)) / 1000;
  const warnings = spreadS > 1 ? [`The shards started ${spreadS.toFixed(1)} s apart: their load did not fully overlap.`] : [];
  return { result: mergeLoadResults(docs, extraThresholds), warnings };
}

const indent = (text: string) => text.split('\n').map((l) => `    ${l}`).join('\n');
