import { EXIT, PerfloopError } from '../../core/errors.js';
import { runHtml } from '../../report/run-html.js';
import { runMarkdown } from '../../report/run-markdown.js';
import { openStoreFlag, STORE_OPTION } from '../store-option.js';
import type { Command } from '../command.js';

export const showCommand: Command = {
  name: 'show',
  summary: 'print the report of any stored run (Markdown, or HTML with --html)',
  usage: 'perfloop show RUN [--html] [--json] [--store PATH|URL]',
  details: 'RUN is a run id (or a unique prefix), a label (its newest run), latest or baseline. The report is rendered\nfrom the stored record, so it is the same whether or not the run folder still exists.',
  positionals: true,
  options: {
    html: { type: 'boolean', description: 'print the HTML report' },
    json: { type: 'boolean', description: 'print the stored perfloop/run@1 record' },
    store: STORE_OPTION,
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    const ref = positionals[0];
    if (!ref || positionals.length > 1)
      throw new PerfloopError('USAGE', 'perfloop show: name one run', { hint: 'perfloop runs lists them' });
    const store = await openStoreFlag(v, io);
    try {
      const record = await store.get(ref);
      if (!record)
        throw new PerfloopError('RUN_NOT_FOUND', `no stored run ${JSON.stringify(ref)} in ${store.path}`, {
          hint: `perfloop runs --store ${store.path} lists the stored runs`,
        });
      io.out(v.json ? `${JSON.stringify(record, null, 2)}\n` : v.html ? runHtml(record) : runMarkdown(record));
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
