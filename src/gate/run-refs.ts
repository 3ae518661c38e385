import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PerfloopError } from '../core/errors.js';
import type { RunRecord } from '../core/run.js';
import type { RunStore } from '../store/run-store.js';
import { ancestors, revParse } from './git-refs.js';
import { readRunFile } from './run-file.js';

/**
 * Turns what a user names — a file, a stored run (id, label, `latest`, `baseline`), a branch, or any git
 * ref — into the runs to compare. A stored run brings its repeats along (same commit, label, target and
 * scenario): repeated runs are what makes a verdict trustworthy on a noisy machine.
 */
export interface RunSelection {
  runs: RunRecord[];
  /** What was resolved, for messages: "file x.json", "run 2026…-ab12 (baseline)", "commit abc1234 (main)". */
  source: string;
  /** The folder of a run read from a file (where its artifacts are). */
  dir?: string;
}

export interface ResolveOptions {
  store: RunStore | null;
  cwd: string;
  /** Run ids that must not be picked (the candidate, when resolving its baseline). */
  exclude?: ReadonlySet<string>;
  /** Bring stored repeats along (default true). */
  repeats?: boolean;
}

const short = (sha: string) => sha.slice(0, 10);

/** Stored runs that repeat `r`: same commit, non-empty label, target and scenario. Oldest first. */
export function repeatsOf(
  all: readonly RunRecord[],
  r: RunRecord,
  exclude: ReadonlySet<string> = new Set(),
): RunRecord[] {
  if (!r.run.gitSha || !r.run.label) return [r];
  const same = all.filter(
    (x) =>
      !exclude.has(x.run.id) &&
      x.run.gitSha === r.run.gitSha &&
      x.run.label === r.run.label &&
      x.run.target === r.run.target &&
      x.run.scenario.id === r.run.scenario.id,
  );
  return same.some((x) => x.run.id === r.run.id) ? same : [...same, r];
}

/** The newest stored run at `sha`, or else at its nearest first-parent ancestor that has one. */
export function storedRunForCommit(
  all: readonly RunRecord[],
  cwd: string,
  sha: string,
  exclude: ReadonlySet<string> = new Set(),
): RunRecord | undefined {
  const bySha = new Map<string, RunRecord>();
  for (const r of all) if (r.run.gitSha && !exclude.has(r.run.id)) bySha.set(r.run.gitSha, r); // all() is oldest first: newest wins
  if (bySha.size === 0) return undefined;
  const direct = bySha.get(sha);
  if (direct) return direct;
  for (const a of ancestors(cwd, sha)) {
    const hit = bySha.get(a);
    if (hit) return hit;
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

export async function resolveRuns(ref: string, o: ResolveOptions): Promise<RunSelection> {
  const exclude = o.exclude ?? new Set<string>();
  const path = resolve(o.cwd, ref);
  if (isFile(path)) return { runs: [readRunFile(path)], source: `file ${ref}`, dir: dirname(path) };
  if (!o.store)
    throw new PerfloopError(
      'RUN_NOT_FOUND',
      `${JSON.stringify(ref)} is not a file, and there is no run store to look it up in`,
    );
  const all = await o.store.all();
  const withRepeats = (r: RunRecord, source: string, explicitId = false): RunSelection => ({
    runs: o.repeats === false || explicitId ? [r] : repeatsOf(all, r, exclude),
    source,
  });
  const describe = (r: RunRecord) => `run ${r.run.id}${r.run.label ? ` (${r.run.label})` : ''}`;

  let hit = await o.store.get(ref);
  if (hit && exclude.has(hit.run.id)) {
    // `latest` (or a label) that names the candidate itself: take the newest other run it could mean.
    const others = all.filter((r) => !exclude.has(r.run.id));
    hit = ref === 'latest' ? others.at(-1) : others.filter((r) => r.run.label === ref).at(-1);
  }
  if (hit)
    return withRepeats(
      hit,
      describe(hit),
      hit.run.id === ref || (ref.length >= 4 && hit.run.id.startsWith(ref)),
    );

  const onBranch = all.filter((r) => r.run.gitBranch === ref && !exclude.has(r.run.id)).at(-1);
  if (onBranch) return withRepeats(onBranch, `${describe(onBranch)} on branch ${ref}`);

  const sha = revParse(o.cwd, ref);
  if (sha) {
    const atCommit = storedRunForCommit(all, o.cwd, sha, exclude);
    if (atCommit) {
      const where =
        atCommit.run.gitSha === sha
          ? `commit ${short(sha)}`
          : `commit ${short(atCommit.run.gitSha!)}, nearest stored ancestor of ${ref}`;
      return withRepeats(atCommit, `${describe(atCommit)} at ${where}`);
    }
    throw new PerfloopError(
      'RUN_NOT_FOUND',
      `no stored run at ${ref} (${short(sha)}) or any of its ancestors`,
      {
        hint: `run perfloop run on that commit first, or pass a run id, a label or a report file; stored runs: perfloop runs --store ${o.store.path}`,
      },
    );
  }
  throw new PerfloopError(
    'RUN_NOT_FOUND',
    `${JSON.stringify(ref)} is not a file, a stored run (id, label, latest, baseline), a branch or a git ref`,
    {
      hint: `perfloop runs --store ${o.store.path} lists the stored runs`,
    },
  );
}
