import { PerfloopError } from '../../core/errors.js';
import type { Command } from '../command.js';
import { loadCommand } from './load.js';

/** `perfloop k6 run script.js …`: for fingers that type k6's command line; the same as `perfloop load`. */
export const k6Command: Command = {
  ...loadCommand,
  name: 'k6',
  summary: "k6's command line: `perfloop k6 run SCRIPT [k6 run flags]` is `perfloop load SCRIPT`",
  usage: 'perfloop k6 run SCRIPT [-u N] [-d DUR] [-i N] [-s DUR:TARGET …] [-e K=V …] [--summary-export FILE] …',
  async run(v, positionals, io) {
    if (positionals[0] !== 'run')
      throw new PerfloopError('USAGE', `perfloop k6: only "run" is supported, got ${JSON.stringify(positionals[0] ?? '')}`, {
        hint: this.usage,
      });
    return loadCommand.run(v, positionals.slice(1), io);
  },
};
