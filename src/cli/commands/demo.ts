import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { parseDuration } from '../../load/duration.js';
import { runDemo } from '../../loop/demo-loop.js';
import { STORE_OPTION, storeFlag } from '../store-option.js';
import type { Command } from '../command.js';
import { int, str } from '../parse.js';
import { clearProgress, progressPrinter } from '../progress.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the whole loop on the bundled demo service: baseline, one fix per iteration, before/after summary',
  usage: 'perfloop demo [--out DIR] [-c N] [-d DUR]',
  details:
    'The demo service (demo/) runs on an embedded PGlite database with six planted problems: N+1 queries, a missing\n' +
    'index, a serialization hot spot, synchronous logging, sequential awaits and an unbounded cache. perfloop measures\n' +
    'a baseline, then applies one fix per iteration and measures again; each run is stored with its label.\n' +
    'Writes DIR/summary.md and one folder per iteration (00-baseline, 01-…) with report.md, report.json,\n' +
    'profile.cpuprofile and flame.html.',
  options: {
    out: { type: 'string', short: 'o', arg: 'DIR', description: 'report folder', default: 'demo-report' },
    vus: { type: 'string', short: 'c', arg: 'N', description: 'virtual users', default: '10' },
    duration: { type: 'string', short: 'd', arg: 'DUR', description: 'measured load per iteration', default: '12s' },
    warmup: { type: 'string', arg: 'DUR', description: 'warm-up per iteration', default: '2s' },
    store: STORE_OPTION,
    'no-store': { type: 'boolean', description: 'do not store the runs' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, _p, io) {
    const dur = (flag: string) => {
      const ms = parseDuration(str(v, flag)!);
      if (ms === undefined) throw new PerfloopError('USAGE', `--${flag}: expected a duration like "12s"`);
      return ms / 1000;
    };
    const outDir = resolve(io.cwd, str(v, 'out')!);
    const t0 = Date.now();
    const result = await runDemo({
      outDir,
      storePath: v['no-store'] ? null : storeFlag(v, io),
      vus: int(v, 'vus', 1)!,
      durationS: dur('duration'),
      warmupS: dur('warmup'),
      signal: io.signal,
      log: (line) => {
        clearProgress(io);
        io.err(`perfloop demo: ${line}\n`);
      },
      onProgress: progressPrinter(io, '  '),
    });
    clearProgress(io);
    const its = result.iterations;
    if (its.length > 0) {
      const a = its[0].record.metrics.http_req_duration;
      const b = its[its.length - 1].record.metrics.http_req_duration;
      io.out(
        `demo finished in ${Math.round((Date.now() - t0) / 1000)} s: ${its.length} runs\n` +
          `  p95 ${a.p95} ms → ${b.p95} ms (${(a.p95 / Math.max(b.p95, 0.001)).toFixed(1)}× faster), p50 ${a.p50} → ${b.p50} ms\n` +
          `  summary: ${result.summaryPath}\n`,
      );
    }
    if (io.signal.aborted) return EXIT.runtime;
    return EXIT.ok;
  },
};
