import { basename } from 'node:path';
import { newRunId } from '../core/run.js';
import { parseRunDocument } from '../gate/run-file.js';
import type { LoadResult } from '../load/result.js';
import { gitInfo } from '../loop/git.js';
import { openStore } from '../store/open-store.js';
import type { CommandIO, ParsedValues } from './command.js';
import { str } from './parse.js';
import { storeFlag } from './store-option.js';

/**
 * A load test (`perfloop load --store`, `perfloop k8s run`) as one stored run, like any other run of its scenario:
 * latency, throughput, errors and the per-second intervals that comparisons and gates use; no profile.
 */
export async function storeLoadRun(v: ParsedValues, io: CommandIO, result: LoadResult, target: string, command: string): Promise<void> {
  const record = parseRunDocument(result.toJSON(), 'load.json');
  const git = gitInfo(io.cwd);
  record.run = {
    ...record.run,
    id: newRunId(new Date(record.run.startedAt)),
    label: str(v, 'label') ?? '',
    target: /^https?:/i.test(target) ? target : basename(target),
    gitSha: git.sha,
    gitBranch: git.branch,
  };
  record.measurement = { ...record.measurement, command, load: command };
  const store = await openStore(storeFlag(v, io));
  try {
    await store.save(record);
    if (!v.quiet) io.err(`perfloop: stored run ${record.run.id} in ${store.path}\n`);
  } finally {
    await store.close();
  }
}
