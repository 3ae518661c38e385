import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadProgress } from '../load/engine.js';
import { liveReporter } from './live-reporter.js';
import { startUiServer } from './server.js';

export interface RunDashboard {
  progress(p: LoadProgress): void;
  /** Sends the end of the run, then stops the dashboard this process started (if it started one). */
  done(): Promise<void>;
}

/**
 * `--dashboard URL` reports to a running `perfloop ui`; `--dashboard local` starts one in this process on a free
 * loopback port (over the run's store, or an empty one when the command stores nothing), prints its Live page
 * and stops it when the run ends — k6's web dashboard, without a second terminal.
 */
export async function openRunDashboard(
  value: string,
  title: string,
  o: { storePath?: string | null; log: (line: string) => void },
): Promise<RunDashboard> {
  if (value !== 'local') return liveReporter(value, title, o.log);
  const scratch = o.storePath ? null : mkdtempSync(join(tmpdir(), 'perfloop-dashboard-'));
  const server = await startUiServer({ storePath: o.storePath ?? join(scratch!, 'perfloop.db'), host: '127.0.0.1', port: 0 });
  o.log(`live dashboard: ${server.url}live`);
  const reporter = liveReporter(server.url, title, o.log);
  return {
    progress: (p) => reporter.progress(p),
    async done() {
      await reporter.done();
      await server.close();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
