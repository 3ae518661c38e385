import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ArtifactEntry } from './artifacts.js';
import type { RunStore } from './run-store.js';

export interface CopyReport {
  runs: number;
  artifacts: number;
  /** Artifacts the source recorded but could not produce (file deleted, too big to have been kept in PostgreSQL). */
  missing: { runId: string; name: string; path: string }[];
}

/**
 * Copies every run of one store into another, oldest first, with its artifacts: PostgreSQL keeps their bytes;
 * SQLite records paths, so an artifact that is not a file on this machine (it came from PostgreSQL) is written
 * under `artifactDir/<run-id>/` (default: `copied-runs/` beside the SQLite file). A run already in the
 * destination is replaced by the copy, so copying twice gives the same store.
 */
export async function copyStore(
  from: RunStore,
  to: RunStore,
  o: { artifactDir?: string; onRun?: (id: string) => void } = {},
): Promise<CopyReport> {
  const report: CopyReport = { runs: 0, artifacts: 0, missing: [] };
  const artifactDir = o.artifactDir ?? join(to.kind === 'sqlite' ? dirname(to.path) : '.', 'copied-runs');
  for (const record of await from.all()) {
    const id = record.run.id;
    const files: Record<string, ArtifactEntry> = {};
    for (const [name, recorded] of Object.entries(await from.artifacts(id))) {
      const local = await from.localArtifact(recorded);
      if (!existsSync(local.path)) {
        report.missing.push({ runId: id, name, path: recorded.path });
        continue;
      }
      files[name] = to.kind === 'sqlite' && local.path !== recorded.path ? keepFile(local, artifactDir, id) : local;
      report.artifacts++;
    }
    await to.saveWithArtifacts(record, (await from.outDir(id)) ?? null, files);
    report.runs++;
    o.onRun?.(id);
  }
  return report;
}

/** A file read back from a database cache, copied to where a SQLite store can keep pointing at it. */
function keepFile(entry: ArtifactEntry, artifactDir: string, runId: string): ArtifactEntry {
  const dir = join(artifactDir, runId);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, basename(entry.path));
  copyFileSync(entry.path, path);
  return { ...entry, path };
}
