import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { RunRecord } from '../core/run.js';
import { verifiedArtifact } from '../store/artifacts.js';
import type { RunStore } from '../store/run-store.js';

/**
 * Where a run's artifacts are: the store remembers each run's folder; a run read from a file has them
 * beside the file. Used to link flame graphs and to diff profiles.
 */
export async function runDirectory(
  store: RunStore | null,
  r: RunRecord,
  fileDir?: string,
): Promise<string | undefined> {
  if (fileDir) return fileDir;
  return await store?.outDir(r.run.id);
}

/** Names an artifact had in records written before run folders (`cpuprofile` is now `profile`). */
const OLD_NAMES: Record<string, string> = { profile: 'cpuprofile', 'report-json': 'json', 'report-html': 'html' };

/**
 * The absolute path of an artifact (e.g. `profile`, `flame`) of a run. When the store recorded the file, it
 * must still be there as recorded (else a clear exit-2 error naming it); a run read from a file, or an
 * artifact the run never had, gives undefined.
 */
export async function artifactPath(
  dir: string | undefined,
  r: RunRecord,
  name: string,
  store: RunStore | null = null,
): Promise<string | undefined> {
  const recorded = await store?.artifacts(r.run.id);
  const entry = recorded?.[name] ?? (OLD_NAMES[name] ? recorded?.[OLD_NAMES[name]] : undefined);
  if (entry) return verifiedArtifact(r.run.id, name, store ? await store.localArtifact(entry) : entry);
  const rel = r.artifacts[name] ?? (OLD_NAMES[name] ? r.artifacts[OLD_NAMES[name]] : undefined);
  if (!dir || !rel) return undefined;
  const p = isAbsolute(rel) ? rel : resolve(join(dir, rel));
  return existsSync(p) ? p : undefined;
}
