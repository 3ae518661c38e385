import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStore } from './run-store.js';

export interface PrunedRun {
  id: string;
  label: string;
  /** The run folder deleted with it, when there was one that is the run's own. */
  folder: string | null;
}

/**
 * Removes runs beyond the newest `keep`, or started more than `olderThanMs` ago, with their folders. A folder is
 * deleted only when its report.json names that run: a store pointing at a user's folder never deletes it.
 */
export async function pruneRuns(
  store: RunStore,
  o: { keep?: number; olderThanMs?: number; dryRun?: boolean; now?: number },
): Promise<PrunedRun[]> {
  const runs = await store.list({ limit: Number.MAX_SAFE_INTEGER }); // newest first
  const cutoff = o.olderThanMs === undefined ? undefined : (o.now ?? Date.now()) - o.olderThanMs;
  const doomed = runs.filter((r, i) =>
    o.keep !== undefined ? i >= o.keep : cutoff !== undefined && Date.parse(r.startedAt) < cutoff,
  );
  const pruned: PrunedRun[] = [];
  for (const r of doomed) {
    const folder = r.outDir && ownsFolder(r.outDir, r.id) ? r.outDir : null;
    if (!o.dryRun) {
      if (folder) rmSync(folder, { recursive: true, force: true });
      await store.delete(r.id);
    }
    pruned.push({ id: r.id, label: r.label, folder });
  }
  return pruned;
}

function ownsFolder(dir: string, id: string): boolean {
  const report = join(dir, 'report.json');
  if (!existsSync(report)) return false;
  try {
    return (JSON.parse(readFileSync(report, 'utf8')) as { run?: { id?: string } }).run?.id === id;
  } catch {
    return false;
  }
}
