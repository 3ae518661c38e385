import { PerfloopError } from '../core/errors.js';

/**
 * The start barrier of distributed shards: every shard is given the same absolute wall-clock time and waits for
 * it. Chosen over a coordinator (k6-operator's starter pod calling each runner) because it needs no network path
 * between pods, no Service and no RBAC — only clocks, which Kubernetes nodes keep NTP-synchronised to
 * milliseconds. A shard that comes up after the time starts at once and says how late it is (its result's
 * startedAt shows it too; `k8s run` warns when the shards' starts spread).
 */
export function parseStartAt(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new PerfloopError('USAGE', `--start-at: expected an ISO 8601 time or epoch milliseconds, got ${JSON.stringify(text)}`);
  return ms;
}

export async function waitForStart(text: string | undefined, io: { err: (text: string) => void; signal: AbortSignal }): Promise<void> {
  if (text === undefined) return;
  const at = parseStartAt(text);
  const wait = at - Date.now();
  if (wait <= 0) {
    if (wait < -1000) io.err(`perfloop: started ${(-wait / 1000).toFixed(1)} s after the common start time\n`);
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, wait);
    io.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
  if (io.signal.aborted) throw new PerfloopError('INTERRUPTED', 'interrupted before the start time', { exitCode: 1 });
}
