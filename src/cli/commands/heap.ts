import { EXIT, PerfloopError } from '../../core/errors.js';
import { diffHeapSnapshots } from '../../memory/heap-diff.js';
import { summariseHeapFile } from '../../memory/heap-summary.js';
import { diffText, summaryText } from '../../memory/heap-text.js';
import type { LoadProgress } from '../../memory/snapshot/load.js';
import type { Command, CommandIO } from '../command.js';
import { int } from '../parse.js';

const USAGE = 'perfloop heap summary FILE [--json] | perfloop heap diff S1 S2 [S3 …] [--json]';

/** One rewritten status line on a TTY while snapshots are read and analysed; nothing otherwise. */
function heapProgress(io: CommandIO): ((p: LoadProgress) => void) | undefined {
  if (!io.isTTY) return undefined;
  return (p) => {
    const pct = p.totalBytes > 0 ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 0;
    const name = p.file.length > 50 ? `…${p.file.slice(-49)}` : p.file;
    io.err(`\r\x1b[2K${name}: ${p.phase}${p.phase === 'reading' ? ` ${pct}%` : ''}`);
  };
}

export const heapCommand: Command = {
  name: 'heap',
  summary: 'heap snapshots: summary by constructor, diff with leak findings',
  usage: USAGE,
  details: [
    'summary FILE         objects by constructor (count, self size, retained size — as Chrome DevTools),',
    '                     the largest retainers and duplicated strings',
    'diff S1 S2 [S3 …]    snapshots of one process, oldest first: what grew, what was allocated between',
    '                     S1 and S2 and is still alive, and the leak rules (unbounded collections, listeners,',
    '                     timers, closures, global growth, unsettled promises) with retainer paths and fixes',
    'Files are .heapsnapshot (v8.writeHeapSnapshot, --heapsnapshot-signal, DevTools), any size.',
  ].join('\n'),
  positionals: true,
  options: {
    json: { type: 'boolean', description: 'print JSON (perfloop/heap-summary@1, perfloop/heap-diff@1)' },
    top: { type: 'string', arg: 'N', description: 'rows per table in the text output', default: '25' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    const [sub, ...files] = positionals;
    const top = int(v, 'top', 1) ?? 25;
    const onProgress = heapProgress(io);
    const done = () => {
      if (io.isTTY) io.err('\r\x1b[2K');
    };
    if (sub === 'summary') {
      if (files.length !== 1) throw new PerfloopError('USAGE', `perfloop heap summary: expected one snapshot file, got ${files.length}`, { hint: USAGE });
      const s = await summariseHeapFile(files[0], { onProgress, signal: io.signal, top: Math.max(top, 20) }).finally(done);
      io.out(`${v.json ? JSON.stringify(s, null, 2) : summaryText(s, top)}\n`);
      return EXIT.ok;
    }
    if (sub === 'diff') {
      if (files.length < 2) throw new PerfloopError('USAGE', `perfloop heap diff: expected at least two snapshot files (oldest first), got ${files.length}`, { hint: USAGE });
      const d = await diffHeapSnapshots(files, { onProgress, signal: io.signal }).finally(done);
      io.out(`${v.json ? JSON.stringify(d, null, 2) : diffText(d, top)}\n`);
      return EXIT.ok;
    }
    throw new PerfloopError('USAGE', sub ? `perfloop heap: unknown subcommand ${JSON.stringify(sub)}` : 'perfloop heap: expected a subcommand (summary or diff)', { hint: USAGE });
  },
};
