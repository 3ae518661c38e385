import type { RunRecord } from '../core/run.js';
import type { RunStore } from '../store/run-store.js';
import { defaultBaseBranch, mergeBase, revParse, ancestors } from './git-refs.js';
import { repeatsOf, resolveRuns, type RunSelection } from './run-refs.js';

/**
 * Which run the gate compares the candidate with. Named (`--baseline REF|FILE`): that. Otherwise the
 * stored run at the merge-base of the candidate's commit with the base branch (main/master by default) —
 * what the branch started from — or at its nearest stored ancestor. On the base branch itself (the
 * merge-base is the candidate's commit) it is the nearest stored run before that commit.
 */
export interface BaselineChoice {
  selection: RunSelection | null;
  /** How it was chosen, or why there is none. */
  how: string;
}

export async function chooseBaseline(o: {
  ref?: string;
  store: RunStore | null;
  cwd: string;
  candidate: readonly RunRecord[];
  baseBranch?: string;
}): Promise<BaselineChoice> {
  const exclude = new Set(o.candidate.map((r) => r.run.id));
  if (o.ref) {
    const selection = await resolveRuns(o.ref, { store: o.store, cwd: o.cwd, exclude });
    return { selection, how: `named: ${o.ref}` };
  }
  if (!o.store) return { selection: null, how: 'no run store' };
  const branch = o.baseBranch ?? defaultBaseBranch(o.cwd);
  if (!branch)
    return {
      selection: null,
      how: 'not a git checkout with a main or master branch',
    };
  const head = o.candidate[o.candidate.length - 1]?.run.gitSha ?? revParse(o.cwd, 'HEAD');
  if (!head) return { selection: null, how: 'the candidate has no git commit' };
  const base = mergeBase(o.cwd, head, branch);
  if (!base)
    return {
      selection: null,
      how: `no merge-base of ${head.slice(0, 10)} and ${branch} (a shallow clone? fetch with depth 0)`,
    };
  const newest = o.candidate[o.candidate.length - 1];
  const candidateStart = o.candidate[0]?.run.startedAt ?? '';
  const scenario = newest?.run.scenario.id;
  // The candidate's own repeats (same label and target) are not a baseline for it.
  const isRepeat = (r: RunRecord) => !!newest && r.run.label === newest.run.label && r.run.target === newest.run.target;
  const stored = (await o.store.all()).filter((r) => !exclude.has(r.run.id));
  // Like with like: runs of the candidate's scenario when there are any (else the gate names the difference).
  const sameScenario = stored.filter((r) => r.run.scenario.id === scenario);
  const all = sameScenario.length > 0 ? sameScenario : stored;
  const bySha = new Map<string, RunRecord>();
  for (const r of all) {
    if (!r.run.gitSha) continue;
    // At the candidate's own commit (iterations not committed yet) only runs before the candidate count, and
    // the first of them (or the one labelled baseline) is what the commit measured before the change.
    if (r.run.gitSha === head && (!(r.run.startedAt < candidateStart) || isRepeat(r))) continue;
    const kept = bySha.get(r.run.gitSha);
    if (r.run.gitSha === head ? !kept || (r.run.label === 'baseline' && kept.run.label !== 'baseline') : true)
      bySha.set(r.run.gitSha, r);
  }
  const chain = ancestors(o.cwd, base);
  for (const sha of chain) {
    const hit = bySha.get(sha);
    if (hit) {
      const where =
        sha === base
          ? `the merge-base with ${branch}`
          : `${sha.slice(0, 10)}, the nearest stored ancestor of the merge-base with ${branch}`;
      return {
        selection: {
          runs: repeatsOf(all, hit),
          source: `run ${hit.run.id}${hit.run.label ? ` (${hit.run.label})` : ''} at ${where}`,
        },
        how: `merge-base ${base.slice(0, 10)} with ${branch}`,
      };
    }
  }
  return {
    selection: null,
    how: `no stored run at the merge-base ${base.slice(0, 10)} with ${branch} or before it`,
  };
}
