import type { RunRecord } from '../core/run.js';

/**
 * Which stored runs form "the loop" for the iteration log and the phase summary: from a given start run
 * (default: the newest run labelled "baseline"; else the oldest run) to the newest, against the same target.
 */
export function loopRuns(all: readonly RunRecord[], start?: RunRecord): RunRecord[] {
  if (all.length === 0) return [];
  let from = start ? all.findIndex((r) => r.run.id === start.run.id) : -1;
  if (from < 0) {
    const baselines = all.map((r, i) => (r.run.label === 'baseline' ? i : -1)).filter((i) => i >= 0);
    from = baselines.length > 0 ? baselines[baselines.length - 1] : 0;
    // Step back over the baseline's own repeats so they are pooled, not dropped.
    while (
      from > 0 &&
      all[from - 1].run.label === 'baseline' &&
      all[from - 1].run.gitSha === all[from].run.gitSha &&
      all[from - 1].run.target === all[from].run.target
    )
      from--;
  }
  const target = all[from].run.target;
  return all.slice(from).filter((r) => r.run.target === target);
}
