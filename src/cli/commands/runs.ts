import { EXIT } from '../../core/errors.js';
import { runsDocument } from '../../report/runs-json.js';
import { openStoreFlag, STORE_OPTION } from '../store-option.js';
import type { Command } from '../command.js';
import { int } from '../parse.js';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list stored runs',
  usage: 'perfloop runs [--store PATH|URL] [--limit N] [--json]',
  details: 'Newest first. --json prints perfloop/runs@1: each run with its scenario and its artifacts (path, bytes, sha256).',
  options: {
    store: STORE_OPTION,
    limit: { type: 'string', arg: 'N', description: 'how many runs, newest first', default: '20' },
    json: { type: 'boolean', description: 'print JSON' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, _p, io) {
    const store = await openStoreFlag(v, io);
    try {
      const runs = await store.list({ limit: int(v, 'limit', 1) });
      if (v.json) {
        const doc = await runsDocument(runs, (id) => store.artifacts(id));
        io.out(`${JSON.stringify(doc, null, 2)}\n`);
        return EXIT.ok;
      }
      if (runs.length === 0) {
        io.out(`no runs stored in ${store.path}\n`);
        return EXIT.ok;
      }
      const rows = runs.map((r) => [
        r.id,
        r.startedAt.replace('T', ' ').slice(0, 19),
        r.label || '–',
        r.scenario.id.slice(0, 8),
        r.p95Ms === null ? '–' : `${r.p95Ms} ms`,
        r.rps === null ? '–' : `${Math.round(r.rps)}`,
        String(r.findings),
      ]);
      const header = ['id', 'time (UTC)', 'label', 'scenario', 'p95', 'req/s', 'findings'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
      io.out(`${[fmt(header), ...rows.map(fmt)].join('\n')}\n`);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
