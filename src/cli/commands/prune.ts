import { EXIT, PerfloopError } from '../../core/errors.js';
import { parseDuration } from '../../load/duration.js';
import { pruneRuns } from '../../store/prune.js';
import { openStoreFlag, STORE_OPTION } from '../store-option.js';
import type { Command } from '../command.js';
import { int, str } from '../parse.js';

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'remove old runs from the store, with their run folders',
  usage: 'perfloop prune (--keep N | --older-than DUR) [--dry-run] [--store PATH|URL]',
  details:
    'Keeps the newest N runs (--keep) or removes runs started more than DUR ago (--older-than 30d; s, m, h, d).\n' +
    'A run folder is deleted only when it is a perfloop run folder of that run (its report.json names the run).',
  options: {
    keep: { type: 'string', arg: 'N', description: 'how many of the newest runs to keep' },
    'older-than': { type: 'string', arg: 'DUR', description: 'remove runs older than this, e.g. 30d' },
    'dry-run': { type: 'boolean', description: 'list what would be removed, remove nothing' },
    store: STORE_OPTION,
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, _p, io) {
    const keep = int(v, 'keep', 0);
    const olderText = str(v, 'older-than');
    if ((keep === undefined) === (olderText === undefined))
      throw new PerfloopError('USAGE', 'perfloop prune: give exactly one of --keep N or --older-than DUR');
    let olderThanMs: number | undefined;
    if (olderText !== undefined) {
      const days = /^(\d+(?:\.\d+)?)d$/.exec(olderText);
      olderThanMs = days ? Number(days[1]) * 86_400_000 : parseDuration(olderText);
      if (olderThanMs === undefined)
        throw new PerfloopError('USAGE', `--older-than: expected a duration like "30d" or "12h", got ${JSON.stringify(olderText)}`);
    }
    const store = await openStoreFlag(v, io);
    try {
      const removed = await pruneRuns(store, { keep, olderThanMs, dryRun: v['dry-run'] === true });
      const verb = v['dry-run'] ? 'would remove' : 'removed';
      for (const r of removed) io.out(`${verb} ${r.id}${r.label ? ` (${r.label})` : ''}${r.folder ? ` and ${r.folder}` : ''}\n`);
      io.out(`${verb} ${removed.length} run(s) from ${store.path}\n`);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
