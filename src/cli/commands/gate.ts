import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { chooseBaseline } from '../../gate/baseline.js';
import { loadBudget, REGRESSION_METRICS, type Budget, type RegressionMetric } from '../../gate/budget.js';
import { writeFlameDiff } from '../../gate/flame-diff.js';
import { evaluateGate, type GateResult } from '../../gate/gate.js';
import { artifactPath, runDirectory } from '../../gate/run-dirs.js';
import { resolveRuns, type RunSelection } from '../../gate/run-refs.js';
import { gateJunit } from '../../report/gate-junit.js';
import { gateMarkdown, type GateMarkdownOptions } from '../../report/gate-markdown.js';
import { gateText } from '../../report/gate-text.js';
import { openStore } from '../../store/open-store.js';
import type { RunStore } from '../../store/run-store.js';
import { STORE_OPTION, storeFlag } from '../store-option.js';
import type { Command, CommandIO } from '../command.js';
import { list, str } from '../parse.js';
import { STAT_OPTIONS, statOptions } from './compare.js';
import { scenarioComparison } from '../../gate/compare/compare-runs.js';
import { TIMING_NAMES } from '../../core/page-run.js';

function write(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Flame graph links (and a diff flame graph) when both newest runs have CPU profiles. */
async function flameGraphs(
  store: RunStore | null,
  candidate: RunSelection,
  baseline: RunSelection | null,
  diffOut: string | undefined,
  linkBase: string,
  io: CommandIO,
): Promise<GateMarkdownOptions> {
  const c = candidate.runs[candidate.runs.length - 1];
  const b = baseline?.runs[baseline.runs.length - 1];
  const cDir = await runDirectory(store, c, candidate.dir);
  const bDir = b ? await runDirectory(store, b, baseline?.dir) : undefined;
  const link = (p: string | undefined) => (p ? relative(linkBase, p) || p : undefined);
  const o: GateMarkdownOptions = {
    flameLinks: {
      candidate: link(await artifactPath(cDir, c, 'flame', store)),
      baseline: b ? link(await artifactPath(bDir, b, 'flame', store)) : undefined,
    },
  };
  const cProf = await artifactPath(cDir, c, 'profile', store);
  const bProf = b ? await artifactPath(bDir, b, 'profile', store) : undefined;
  if (b && cProf && bProf) {
    const out = diffOut ?? (cDir ? resolve(cDir, `flame-diff-${b.run.id}.html`) : undefined);
    if (out) {
      try {
        o.flameChanges = await writeFlameDiff(
          bProf,
          cProf,
          out,
          `${b.run.label || b.run.id} → ${c.run.label || c.run.id}`,
        );
        o.flameLinks!.diff = link(out);
        o.flameDiff = { baseline: bProf, candidate: cProf, html: out };
      } catch (e) {
        io.err(`warning: no flame graph diff: ${(e as Error).message}\n`);
      }
    }
  }
  return o;
}

export const gateCommand: Command = {
  name: 'gate',
  summary: 'CI gate: budgets, k6 thresholds and the regression test against a baseline; exit 99 on failure',
  usage:
    'perfloop gate [--baseline REF|FILE] [--candidate REF|FILE] [--budget FILE] [--json] [--junit FILE] [--comment FILE]',
  details:
    'Candidate: --candidate (default: the latest stored run). Baseline: --baseline (a stored run id or label, latest, a branch,\n' +
    'a git ref whose stored run to use, or a perfloop/run@1 | perfloop/load@1 file); by default the stored run at the\n' +
    'merge-base of the candidate commit with --base-branch (main/master), or its nearest stored ancestor.\n' +
    'Fails on a crossed budget or threshold, or a significant regression beyond the minimum effect of a gated metric\n' +
    '(default p50, p95, throughput, error rate, memory; page runs: every timing of every page, against its pages budgets).\n' +
    '"unknown" does not fail. Writes a Markdown PR comment (--comment),\n' +
    'the GitHub Actions job summary when GITHUB_STEP_SUMMARY is set, JUnit XML (--junit) and JSON (--json).\n' +
    'Exit codes: 0 pass, 99 fail, 2 bad input (a budget file that does not validate names the field).',
  options: {
    baseline: {
      type: 'string',
      arg: 'REF|FILE',
      description: 'the run to compare with (default: the merge-base’s stored run)',
    },
    candidate: { type: 'string', arg: 'REF|FILE', description: 'the run to judge', default: 'latest' },
    budget: {
      type: 'string',
      arg: 'FILE',
      description: 'performance-budget.json (default: ./performance-budget.json when present)',
    },
    'allow-scenario-change': {
      type: 'boolean',
      description: 'gate even when the baseline applied a different load (scenario) than the candidate',
    },
    'base-branch': {
      type: 'string',
      arg: 'BRANCH',
      description: 'branch whose merge-base is the baseline (default: main, else master)',
    },
    json: { type: 'boolean', description: 'print the perfloop/gate@1 document' },
    junit: { type: 'string', arg: 'FILE', description: 'write JUnit XML' },
    comment: { type: 'string', arg: 'FILE', description: 'write the Markdown PR comment' },
    'flame-diff': {
      type: 'string',
      arg: 'FILE',
      description: 'where to write the diff flame graph (default: the candidate’s report folder)',
    },
    gate: {
      type: 'string',
      multiple: true,
      arg: 'METRIC',
      description: `metric whose regression fails the gate (${REGRESSION_METRICS.join(', ')}; page runs: ${TIMING_NAMES.join(', ')})`,
    },
    store: STORE_OPTION,
    ...STAT_OPTIONS,
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, _p, io) {
    const { apdexTMs, ...stats } = statOptions(v);
    const gated = list(v, 'gate');
    for (const m of gated)
      if (!(REGRESSION_METRICS as readonly string[]).includes(m) && !(TIMING_NAMES as readonly string[]).includes(m))
        throw new PerfloopError('USAGE', `--gate: unknown metric ${JSON.stringify(m)}`, {
          hint: `${REGRESSION_METRICS.join(', ')}; for page runs ${TIMING_NAMES.join(', ')}`,
        });
    const budgetFlag = str(v, 'budget');
    const defaultBudget = resolve(io.cwd, 'performance-budget.json');
    const budget: Budget | undefined = budgetFlag
      ? loadBudget(resolve(io.cwd, budgetFlag))
      : existsSync(defaultBudget)
        ? loadBudget(defaultBudget)
        : undefined;

    const candidateRef = str(v, 'candidate')!;
    const baselineRef = str(v, 'baseline');
    const storePath = storeFlag(v, io);
    const needsStore =
      !existsSync(resolve(io.cwd, candidateRef)) || !baselineRef || !existsSync(resolve(io.cwd, baselineRef));
    const store = needsStore ? await openStore(storePath) : null;
    try {
      if (store && candidateRef === 'latest' && (await store.list({ limit: 1 })).length === 0)
        throw new PerfloopError('GATE_NO_CANDIDATE', `no runs stored in ${store.path}`, {
          hint: 'run perfloop run first, or pass --candidate FILE',
        });
      const candidate = await resolveRuns(candidateRef, { store, cwd: io.cwd, repeats: !v['no-repeats'] });
      const choice = await chooseBaseline({
        ref: baselineRef,
        store,
        cwd: io.cwd,
        candidate: candidate.runs,
        baseBranch: str(v, 'base-branch'),
      });
      const baseline =
        choice.selection && v['no-repeats']
          ? { ...choice.selection, runs: choice.selection.runs.slice(-1) }
          : choice.selection;
      const scenario = baseline ? scenarioComparison(baseline.runs, candidate.runs) : { same: true, differences: [] };
      if (!scenario.same && !v['allow-scenario-change'])
        throw new PerfloopError(
          'GATE_SCENARIO_CHANGED',
          `the baseline (${baseline!.source}) applied a different load than the candidate: ${scenario.differences.join('; ')}`,
          { hint: 'compare like with like — rerun the baseline with the same load, or pass --allow-scenario-change' },
        );
      const result: GateResult = evaluateGate(candidate, baseline, budget, {
        ...stats,
        apdexTMs,
        gatedMetrics: gated.length > 0 ? (gated as RegressionMetric[]) : undefined,
      });
      // Say why there is no baseline instead of the generic warning.
      if (!baseline)
        result.warnings[0] = `No baseline: ${choice.how}. Only budgets and thresholds were checked (--baseline REF|FILE names one).`;

      const commentPath = str(v, 'comment') ? resolve(io.cwd, str(v, 'comment')!) : undefined;
      const flameDiff = str(v, 'flame-diff') ? resolve(io.cwd, str(v, 'flame-diff')!) : undefined;
      const md = await flameGraphs(
        store,
        candidate,
        baseline,
        flameDiff,
        commentPath ? dirname(commentPath) : io.cwd,
        io,
      );
      result.flameGraphs = md.flameLinks;
      if (md.flameDiff) result.flameDiff = md.flameDiff;
      result.scenario = scenario;
      const markdown = gateMarkdown(result, md);
      if (commentPath) write(commentPath, markdown);
      const summary = process.env.GITHUB_STEP_SUMMARY;
      if (summary) appendFileSync(summary, `${markdown}\n`);
      const junit = str(v, 'junit');
      if (junit) write(resolve(io.cwd, junit), gateJunit(result));

      if (v.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else io.out(gateText(result));
      for (const w of result.warnings) io.err(`warning: ${w}\n`);
      return result.pass ? EXIT.ok : EXIT.thresholds;
    } finally {
      await store?.close();
    }
  },
};
