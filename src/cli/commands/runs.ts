import { EXIT } from '../../core/errors.js';
import { DEFAULT_STORE_PATH, RunStore } from '../../store/run-store.js';
import { runsDocument } from '../../report/runs-json.js';
import type { Command } from '../command.js';
import { int, str } from '../parse.js';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list stored runs',
  usage: 'perfloop runs [--store PATH] [--limit N] [--json]',
  details: 'Newest first. --json prints perfloop/runs@1: each run with its scenario and its artifacts (path, bytes, sha256).',
  options: {
    store: { type: 'string', arg: 'PATH', description: 'history store', default: DEFAULT_STORE_PATH },
    limit: { type: 'string', arg: 'N', description: 'how many runs, newest first', default: '20' },
    json: { type: 'boolean', description: 'print JSON' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, _p, io) {
    const store = RunStore.open(str(v, 'store'));
    try {
      const runs = store.list({ limit: int(v, 'limit', 1) });
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
      store.close();
    }
  },
};
