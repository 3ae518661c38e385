import { isAbsolute, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { RunRecord } from '../core/run.js';
import type { RunStore } from '../store/run-store.js';

/**
 * Where a run's artifacts are: the store remembers each run's report folder; a run read from a file has
 * them beside the file. Used to link flame graphs and to diff profiles.
 */
export function runDirectory(store: RunStore | null, r: RunRecord, fileDir?: string): string | undefined {
  if (fileDir) return fileDir;
  const item = store?.list({ limit: 1_000_000 }).find((x) => x.id === r.run.id);
  return item?.outDir ?? undefined;
}

/** The absolute path of an artifact (e.g. `cpuprofile`, `flame`) of a run, when the file exists. */
export function artifactPath(dir: string | undefined, r: RunRecord, name: string): string | undefined {
  const rel = r.artifacts[name];
  if (!dir || !rel) return undefined;
  const p = isAbsolute(rel) ? rel : resolve(join(dir, rel));
  return existsSync(p) ? p : undefined;
}
