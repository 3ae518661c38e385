import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EXIT } from '../../core/errors.js';
import { gateConfigFiles } from '../../gate/ci-config.js';
import { phaseSummary, phaseSummaryMarkdown } from '../../report/phase-summary.js';
import type { Command } from '../command.js';
import { str } from '../parse.js';
import { LOOP_OPTIONS, loadLoop } from './log.js';

export const summaryCommand: Command = {
  name: 'summary',
  summary:
    'the approval-gate summary from stored runs: before/after, optimizations, flame graphs, verification, opportunities',
  usage: 'perfloop summary [--out FILE] [--since REF] [--budget FILE] [--json] [--store PATH|URL]',
  details:
    'Writes the method’s Phase 15 Summary: before vs after (with confidence intervals and verdicts), each optimization\n' +
    'with its measured impact, the flame graph story (top consumer before and after, and which change resolved it),\n' +
    'the verification checklist ticked from evidence, and the remaining opportunities ranked from the latest run’s findings.',
  options: {
    out: {
      type: 'string',
      short: 'o',
      arg: 'FILE',
      description: 'write the Markdown here instead of stdout',
    },
    ...LOOP_OPTIONS,
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, _p, io) {
    const { runs, budget, repoUrl } = await loadLoop(v, io);
    const s = phaseSummary({
      runs,
      budget,
      repoUrl,
      gateConfigFiles: gateConfigFiles(io.cwd).map((f) => f.slice(io.cwd.length + 1)),
    });
    if (v.json) {
      const { iterations, ...rest } = s;
      io.out(
        `${JSON.stringify({ ...rest, iterations: iterations.map(({ runs: rs, ...it }) => ({ ...it, runIds: rs.map((r) => r.run.id) })) }, null, 2)}\n`,
      );
      return EXIT.ok;
    }
    const md = phaseSummaryMarkdown(s);
    const out = str(v, 'out');
    if (out) {
      const path = resolve(io.cwd, out);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, md);
      io.out(`wrote ${path}\n`);
    } else io.out(md);
    return EXIT.ok;
  },
};
