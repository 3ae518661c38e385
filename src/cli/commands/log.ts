import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import type { RunRecord } from '../../core/run.js';
import { budgetTargets, loadBudget, type Budget } from '../../gate/budget.js';
import { repositoryUrl } from '../../gate/git-refs.js';
import { loopRuns, scenarioLoops, type ScenarioLoop } from '../../gate/loop-runs.js';
import {
  currentVsTarget,
  currentVsTargetTable,
  loggedIterations,
  loggedIterationTable,
} from '../../report/iteration-log.js';
import { mdEscape } from '../../report/markdown.js';
import { openStoreFlag, STORE_OPTION } from '../store-option.js';
import type { Command, CommandIO, ParsedValues } from '../command.js';
import { str } from '../parse.js';

/** Options and loading shared by `perfloop log` and `perfloop summary`. */
export const LOOP_OPTIONS = {
  store: STORE_OPTION,
  since: {
    type: 'string',
    arg: 'REF',
    description: 'first run of the loop (default: the newest run labelled "baseline")',
  },
  budget: {
    type: 'string',
    arg: 'FILE',
    description: 'performance-budget.json for the targets (default: ./performance-budget.json when present)',
  },
  'repo-url': {
    type: 'string',
    arg: 'URL',
    description: 'repository web URL for commit links (default: from git remote origin)',
  },
  scenario: {
    type: 'string',
    arg: 'ID',
    description: 'the scenario (id or prefix, as perfloop runs shows) whose loop to show (default: every scenario; summary: the newest)',
  },
  json: { type: 'boolean', description: 'print JSON' },
} as const;

export async function loadLoop(
  v: ParsedValues,
  io: CommandIO,
): Promise<{ runs: RunRecord[]; loops: ScenarioLoop[]; budget?: Budget; repoUrl: string | null }> {
  const store = await openStoreFlag(v, io);
  try {
    const all = await store.all();
    if (all.length === 0)
      throw new PerfloopError('LOG_EMPTY', `no runs stored in ${store.path}`, {
        hint: 'perfloop run --label "baseline" … stores the first one',
      });
    const since = str(v, 'since');
    let start: RunRecord | undefined;
    if (since) {
      start = await store.get(since);
      if (!start)
        throw new PerfloopError('RUN_NOT_FOUND', `--since: no stored run ${JSON.stringify(since)}`, {
          hint: `perfloop runs --store ${store.path}`,
        });
    }
    const budgetFlag = str(v, 'budget');
    const defaultBudget = resolve(io.cwd, 'performance-budget.json');
    const budget = budgetFlag
      ? loadBudget(resolve(io.cwd, budgetFlag))
      : existsSync(defaultBudget)
        ? loadBudget(defaultBudget)
        : undefined;
    const scenario = str(v, 'scenario');
    let loops = scenarioLoops(all);
    if (scenario) {
      loops = loops.filter((l) => l.scenario.id.startsWith(scenario));
      if (loops.length === 0)
        throw new PerfloopError('SCENARIO_NOT_FOUND', `--scenario: no stored runs of scenario ${JSON.stringify(scenario)}`, {
          hint: `perfloop runs --store ${store.path} shows each run's scenario`,
        });
    }
    if (start) loops = [{ scenario: start.run.scenario, runs: loopRuns(all, start) }];
    return { runs: loops[0].runs, loops, budget, repoUrl: str(v, 'repo-url') ?? repositoryUrl(io.cwd) };
  } finally {
    await store.close();
  }
}

export const logCommand: Command = {
  name: 'log',
  summary:
    'the iteration log from stored runs: bottleneck, change, before, after, improvement, verdict, commit',
  usage: 'perfloop log [--since REF] [--budget FILE] [--json] [--store PATH|URL]',
  details:
    'One table per scenario (the load applied; newest scenario first), one row per iteration (repeats of one commit\n' +
    'and label are pooled). The bottleneck is the finding the change removed (else the previous run’s top finding); the\n' +
    'change is the run’s --label, with the target command when it changed; before/after are p95 latency (page runs: the\n' +
    'median LCP, else load, of the first page) with the verdict of the change\n' +
    '(bootstrap confidence interval, Mann-Whitney U + Kolmogorov-Smirnov). Then Current vs Target.',
  options: { ...LOOP_OPTIONS, help: { type: 'boolean', short: 'h', description: 'show this help' } },
  async run(v, _p, io) {
    const { loops, budget, repoUrl } = await loadLoop(v, io);
    const views = loops.map((l) => {
      const iterations = loggedIterations(l.runs, { repoUrl });
      const first = iterations[0].runs.at(-1)!;
      const last = iterations[iterations.length - 1].runs.at(-1)!;
      return { loop: l, iterations, first, targets: currentVsTarget(first, last, budget ? budgetTargets(budget) : last.budget, budget?.pages) };
    });
    if (v.json) {
      const doc = {
        schema: 'perfloop/log@1',
        scenarios: views.map((x) => ({
          scenario: { id: x.loop.scenario.id, description: x.loop.scenario.description },
          iterations: x.iterations.map(({ runs: rs, ...it }) => ({
            runId: rs[rs.length - 1].run.id,
            runIds: rs.map((r) => r.run.id),
            ...it,
          })),
          currentVsTarget: x.targets,
        })),
      };
      io.out(`${JSON.stringify(doc, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const x of views) {
      io.out(`### Optimization Iteration — scenario ${x.loop.scenario.id.slice(0, 8)}\n\n_${mdEscape(x.loop.scenario.description)}_\n\n**Iteration Log**:\n\n`);
      io.out(
        x.iterations.length > 1
          ? `${loggedIterationTable(x.iterations)}\n\n`
          : `_Only the first run (${x.first.run.label || x.first.run.id}) so far: label the next run with the change it makes._\n\n`,
      );
      io.out(`**Current vs Target**:\n\n${currentVsTargetTable(x.targets)}\n\n`);
    }
    return EXIT.ok;
  },
};
