import type { ArtifactEntry } from '../store/artifacts.js';
import type { RunListItem } from '../store/run-store.js';

export const RUNS_SCHEMA = 'perfloop/runs@1';

/**
 * `perfloop/runs@1`: each listed run with its scenario and its artifacts (path, bytes, sha256). One builder for
 * `perfloop runs --json` and the dashboard's `GET /api/runs`, so the two are the same document. The artifact
 * look-up is awaited: the store may answer asynchronously (PostgreSQL).
 */
export async function runsDocument(
  runs: readonly RunListItem[],
  artifactsOf: (runId: string) => Record<string, ArtifactEntry> | Promise<Record<string, ArtifactEntry>>,
): Promise<{ schema: typeof RUNS_SCHEMA; runs: unknown[] }> {
  const out: unknown[] = [];
  for (const { scenario, ...r } of runs) {
    out.push({ ...r, scenario: { id: scenario.id, description: scenario.description }, artifacts: await artifactsOf(r.id) });
  }
  return { schema: RUNS_SCHEMA, runs: out };
}
