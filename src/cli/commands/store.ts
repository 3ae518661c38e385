import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { copyStore } from '../../store/copy.js';
import { openStore, storeLocation } from '../../store/open-store.js';
import type { Command } from '../command.js';
import { str } from '../parse.js';

export const storeCommand: Command = {
  name: 'store',
  summary: 'move run history between stores (SQLite file ↔ PostgreSQL)',
  usage: 'perfloop store copy --from PATH|URL --to PATH|URL [--artifact-dir DIR]',
  details:
    'copy: every run of --from, oldest first, with its metrics, intervals, findings and artifacts, into --to (a run\n' +
    'already there is replaced, so copying twice is harmless). PostgreSQL keeps artifact bytes in the database; a SQLite\n' +
    'store records file paths, so artifacts coming from PostgreSQL are written to --artifact-dir (default: copied-runs/\n' +
    'beside the SQLite file). Stores are a SQLite path or a postgres:// URL (?schema=NAME for a schema of its own).',
  positionals: true,
  options: {
    from: { type: 'string', arg: 'PATH|URL', description: 'the store to copy from' },
    to: { type: 'string', arg: 'PATH|URL', description: 'the store to copy into (created when missing)' },
    'artifact-dir': { type: 'string', arg: 'DIR', description: 'where a SQLite destination keeps copied artifact files' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    if (positionals.length !== 1 || positionals[0] !== 'copy')
      throw new PerfloopError('USAGE', `perfloop store: expected the subcommand copy${positionals[0] ? `, got ${JSON.stringify(positionals[0])}` : ''}`, {
        hint: this.usage,
      });
    const fromFlag = str(v, 'from');
    const toFlag = str(v, 'to');
    if (!fromFlag || !toFlag) throw new PerfloopError('USAGE', 'perfloop store copy: give both --from and --to', { hint: this.usage });
    const from = storeLocation(io.cwd, fromFlag);
    const to = storeLocation(io.cwd, toFlag);
    if (from === to) throw new PerfloopError('USAGE', `perfloop store copy: --from and --to are the same store (${from})`);
    const source = await openStore(from);
    try {
      const target = await openStore(to);
      try {
        const artifactDir = str(v, 'artifact-dir');
        const r = await copyStore(source, target, { artifactDir: artifactDir ? resolve(io.cwd, artifactDir) : undefined });
        for (const m of r.missing) io.err(`warning: run ${m.runId}: its ${m.name} (${m.path}) is not available; copied without it\n`);
        io.out(`copied ${r.runs} run(s) and ${r.artifacts} artifact(s) from ${source.path} to ${target.path}\n`);
        return EXIT.ok;
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  },
};
