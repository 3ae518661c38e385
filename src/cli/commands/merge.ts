import { EXIT, PerfloopError } from '../../core/errors.js';
import { mergeLoadResults, readLoadDoc } from '../../load/merge.js';
import type { Command } from '../command.js';
import { list } from '../parse.js';
import { reportLoadResult } from './load.js';

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge perfloop load results (segments, machines) exactly and evaluate thresholds over the whole',
  usage: 'perfloop merge RESULT… [--threshold EXPR …] [--json] [--result FILE] [--summary-export FILE]',
  details: [
    'RESULT files are perfloop/load@1 JSON (perfloop load --result FILE), typically the --segment i/n parts of one test.',
    "Histograms merge exactly (percentiles are never averaged); the parts' thresholds and --threshold flags are",
    'evaluated on the merged metrics. Exit 99 when a threshold is crossed.',
  ].join('\n'),
  positionals: true,
  options: {
    threshold: {
      type: 'string',
      arg: 'EXPR',
      multiple: true,
      description: 'extra threshold over the merged result',
    },
    json: {
      type: 'boolean',
      description: 'print the merged perfloop/load@1 JSON (the summary goes to stderr)',
    },
    result: { type: 'string', arg: 'FILE', description: 'write the merged perfloop/load@1 JSON' },
    'summary-export': { type: 'string', arg: 'FILE', description: "write k6's end-of-test summary JSON" },
    quiet: { type: 'boolean', short: 'q', description: 'no summary' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    if (positionals.length === 0)
      throw new PerfloopError('USAGE', 'perfloop merge: give one or more result files', { hint: this.usage });
    const result = mergeLoadResults(positionals.map(readLoadDoc), list(v, 'threshold'));
    return reportLoadResult(result, v, io) === EXIT.ok ? EXIT.ok : EXIT.thresholds;
  },
};
