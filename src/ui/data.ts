import type { RunRecord } from '../core/run.js';
import { runsDocument } from '../report/runs-json.js';
import type { ArtifactEntry } from '../store/artifacts.js';
import { openStore } from '../store/open-store.js';
import type { RunFilter, RunStore } from '../store/run-store.js';

/**
 * The dashboard's only door to the run store (SQLite file or PostgreSQL URL, through openStore). Read-only:
 * nothing here writes to the store.
 */
export class UiData {
  private constructor(private readonly store: RunStore) {}

  static async open(path: string): Promise<UiData> {
    return new UiData(await openStore(path));
  }

  get path(): string {
    return this.store.path;
  }

  /** `perfloop/runs@1`, exactly what `perfloop runs --json` prints. */
  async runsDocument(limit: number) {
    const runs = await this.store.list({ limit });
    return runsDocument(runs, async (id) => await this.store.artifacts(id));
  }

  async page(filter: RunFilter & { offset?: number; limit?: number; count?: boolean }) {
    return await this.store.page(filter);
  }

  async scenarios(filter: RunFilter) {
    return await this.store.scenarios(filter);
  }

  async records(filter: RunFilter & { limit?: number }): Promise<RunRecord[]> {
    return await this.store.records(filter);
  }

  /** A run by id (or any reference `perfloop show` takes: prefix, label, latest). */
  async run(ref: string): Promise<RunRecord | undefined> {
    return await this.store.get(ref);
  }

  async artifacts(runId: string): Promise<Record<string, ArtifactEntry>> {
    return await this.store.artifacts(runId);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
