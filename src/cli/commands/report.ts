import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { DEFAULT_STORE_PATH } from '../../store/run-store.js';
import { exportRun } from '../../ui/export.js';
import type { Command } from '../command.js';
import { str } from '../parse.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'export a stored run as the dashboard’s pages: a folder that opens without a server (CI artifact)',
  usage: 'perfloop report RUN|latest --html DIR [--store PATH]',
  details:
    'Writes DIR/index.html (the run), DIR/scenario.html (its scenario’s trends), DIR/compare.html (against the run\n' +
    'before it, with the differential flame graph), DIR/assets/ and DIR/artifacts/ (files up to 50 MB). No network.',
  positionals: true,
  options: {
    html: { type: 'string', arg: 'DIR', description: 'folder to write the pages to' },
    store: { type: 'string', arg: 'PATH', description: 'history store', default: DEFAULT_STORE_PATH },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    if (positionals.length !== 1) throw new PerfloopError('USAGE', 'perfloop report: expected one run (an id, a label or latest)', { hint: this.usage });
    const dir = str(v, 'html');
    if (!dir) throw new PerfloopError('USAGE', 'perfloop report: --html DIR is required (the only export so far)', { hint: this.usage });
    const storePath = resolve(io.cwd, str(v, 'store')!);
    if (!existsSync(storePath)) throw new PerfloopError('STORE_MISSING', `no run store at ${storePath}`, { hint: 'pass --store PATH' });
    const result = await exportRun(storePath, positionals[0], resolve(io.cwd, dir));
    for (const s of result.skipped) io.err(`perfloop report: left out ${s.name}: ${s.reason}\n`);
    io.out(`${result.index}\n`);
    return EXIT.ok;
  },
};
