import type { RunRecord, ScenarioRef } from '../core/run.js';

/** The runs of one scenario that form one loop, oldest first. */
export interface ScenarioLoop {
  scenario: ScenarioRef;
  runs: RunRecord[];
}

/**
 * Which stored runs form "the loop" of one scenario for the iteration log and the phase summary: from a start
 * run (default: the scenario's newest run labelled "baseline", with its repeats; else its oldest run) to its
 * newest. Every target command is kept: changing the service is what an iteration does.
 */
export function loopRuns(all: readonly RunRecord[], start?: RunRecord, scenario?: string): RunRecord[] {
  if (all.length === 0) return [];
  const scenarioId = scenario ?? (start ?? all[all.length - 1]).run.scenario.id;
  const runs = all.filter((r) => r.run.scenario.id === scenarioId);
  let from = start ? runs.findIndex((r) => r.run.id === start.run.id) : -1;
  if (from < 0) {
    const baselines = runs.map((r, i) => (r.run.label === 'baseline' ? i : -1)).filter((i) => i >= 0);
    from = baselines.length > 0 ? baselines[baselines.length - 1] : 0;
    // Step back over the baseline's own repeats so they are pooled, not dropped.
    while (
      from > 0 &&
      runs[from - 1].run.label === 'baseline' &&
      runs[from - 1].run.gitSha === runs[from].run.gitSha &&
      runs[from - 1].run.target === runs[from].run.target
    )
      from--;
  }
  return runs.slice(from);
}

/** Every scenario's loop, the scenario with the newest run first. */
export function scenarioLoops(all: readonly RunRecord[]): ScenarioLoop[] {
  const newest = new Map<string, RunRecord>();
  for (const r of all) newest.set(r.run.scenario.id, r); // all() is oldest first
  return [...newest.values()]
    .reverse()
    .map((r) => ({ scenario: r.run.scenario, runs: loopRuns(all, undefined, r.run.scenario.id) }));
}
