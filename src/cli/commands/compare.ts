import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { comparisonDocument } from '../../gate/compare/compare-runs.js';
import { isJobRecord } from '../../gate/compare/job-compare.js';
import { comparePageRuns, isPageRun, pageComparisonText } from '../../gate/compare/page-compare.js';
import { resolveRuns } from '../../gate/run-refs.js';
import { comparisonMarkdown, comparisonText } from '../../report/comparison.js';
import { openStoreFlag, STORE_OPTION } from '../store-option.js';
import type { Command, ParsedValues } from '../command.js';
import { int, str } from '../parse.js';

/** A number flag within [min, max], reported as a usage error naming the flag. */
export function numberFlag(v: ParsedValues, name: string, min: number, max: number): number | undefined {
  const s = str(v, name);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new PerfloopError(
      'USAGE',
      `--${name}: expected a number in [${min}, ${max}], got ${JSON.stringify(s)}`,
    );
  return n;
}

/** The statistics flags shared by compare and gate. */
export const STAT_OPTIONS = {
  // No defaults here: an unset flag leaves the budget's `regression` settings (or the built-in 5 % / 0.01) in force.
  'min-effect': {
    type: 'string',
    arg: 'PCT',
    description: 'smallest change (%) that counts as one (default 5)',
  },
  alpha: { type: 'string', arg: 'P', description: 'significance level of the rank tests (default 0.01)' },
  resamples: { type: 'string', arg: 'N', description: 'bootstrap resamples', default: '1000' },
  seed: {
    type: 'string',
    arg: 'N',
    description: 'bootstrap seed (same data + seed = same interval)',
    default: '1',
  },
  'apdex-t': {
    type: 'string',
    arg: 'MS',
    description: 'Apdex threshold T in ms (default: the budget’s apdex.t_ms, else 500)',
  },
  'no-repeats': {
    type: 'boolean',
    description: 'compare exactly the named runs, without their stored repeats',
  },
} as const;

export function statOptions(v: ParsedValues) {
  return {
    minEffectPct: numberFlag(v, 'min-effect', 0, 1000),
    alpha: numberFlag(v, 'alpha', 1e-9, 0.5),
    resamples: int(v, 'resamples', 100),
    seed: int(v, 'seed', 0),
    apdexTMs: numberFlag(v, 'apdex-t', 0.001, 1e7),
  };
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'before/after of two runs: change, confidence interval and verdict for every metric',
  usage: 'perfloop compare BEFORE AFTER [--json] [--markdown] [--store PATH|URL]',
  details:
    'BEFORE and AFTER: a stored run (id or id prefix, label, latest, baseline), a branch or git ref with a stored run,\n' +
    'or a file (perfloop/run@1 report.json, perfloop/load@1 result). A stored run brings its repeats (same commit and label).\n' +
    'Units are one-second intervals (runs, with 8+ runs a side); Mann-Whitney U + Kolmogorov-Smirnov (smaller p, doubled),\n' +
    'bootstrap confidence intervals. Verdicts: improved | regressed (significant and beyond the minimum effect),\n' +
    'same (the interval within ± the minimum effect), unknown (with about how many more runs would decide).',
  positionals: true,
  options: {
    json: { type: 'boolean', description: 'print the perfloop/compare@1 document' },
    markdown: { type: 'boolean', description: 'print a Markdown table' },
    store: STORE_OPTION,
    ...STAT_OPTIONS,
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    if (positionals.length !== 2)
      throw new PerfloopError('USAGE', 'perfloop compare: expected two runs, BEFORE and AFTER', {
        hint: this.usage,
      });
    const { apdexTMs, ...stats } = statOptions(v);
    const isFile = (ref: string) => existsSync(resolve(io.cwd, ref));
    // Two files need no store (and must not create one as a side effect).
    const store = positionals.every(isFile) ? null : await openStoreFlag(v, io);
    try {
      const resolveOpts = { store, cwd: io.cwd, repeats: !v['no-repeats'] };
      const before = await resolveRuns(positionals[0], resolveOpts);
      const after = await resolveRuns(positionals[1], {
        ...resolveOpts,
        exclude: new Set(before.runs.map((r) => r.run.id)),
      });
      if (before.runs.some(isPageRun) || after.runs.some(isPageRun)) {
        // Page runs (perfloop page) are compared per page and timing, on their runs: they have no one-second intervals.
        if (!before.runs.every(isPageRun) || !after.runs.every(isPageRun))
          throw new PerfloopError('COMPARE_KINDS', `${before.source} and ${after.source}: a page run compares only with page runs`);
        const doc = comparePageRuns(before.runs, after.runs, stats);
        io.out(v.json ? `${JSON.stringify(doc, null, 2)}\n` : pageComparisonText(doc));
        return EXIT.ok;
      }
      const doc = comparisonDocument(before, after, { ...stats, apdexTMs });
      if (v.json) {
        io.out(`${JSON.stringify(doc, null, 2)}\n`);
        return EXIT.ok;
      }
      const n = (runs: number) => (runs > 1 ? ` ×${runs} runs` : '');
      if (v.markdown) {
        io.out(
          `**Before**: ${before.source}${n(before.runs.length)} · **After**: ${after.source}${n(after.runs.length)}\n\n${comparisonMarkdown(doc.metrics, doc.options)}\n`,
        );
      } else {
        io.out(
          `before: ${before.source}${n(before.runs.length)}\nafter:  ${after.source}${n(after.runs.length)}\n\n${comparisonText(doc.metrics, doc.options)}\n`,
        );
      }
      const ap = (x: typeof doc.before.apdex) => (x ? `${x.score} (${x.rating})` : '–');
      // Apdex is a service's user-satisfaction score; a job's runs have none.
      if (![...before.runs, ...after.runs].every(isJobRecord))
        io.out(`\nApdex (T=${doc.options.apdexTMs} ms): ${ap(doc.before.apdex)} → ${ap(doc.after.apdex)}\n`);
      const unit = doc.metrics[0]?.sampleUnit === 'run' ? 'runs' : 'one-second intervals';
      io.out(
        `Units: ${unit}; minimum effect ${doc.options.minEffectPct}%, α ${doc.options.alpha}, ${doc.options.resamples} bootstrap resamples (seed ${doc.options.seed}).\n`,
      );
      for (const w of doc.warnings) io.err(`warning: ${w}\n`);
      return EXIT.ok;
    } finally {
      await store?.close();
    }
  },
};
