import { PerfloopError } from '../../core/errors.js';
import type { MetricSet } from '../../core/metric-set.js';
import { LoadRecorder } from '../recorder.js';
import { setActiveSink } from '../script/api.js';
import type { ScriptModule } from '../script/module.js';
import { scriptLine } from './iteration-errors.js';
import { closeVuHttp } from './http-client.js';
import { configure, enter } from './runtime.js';
import { k6Config, newK6Vu } from './vu.js';

/**
 * k6's `setup()` (before the load; what it returns is every VU's `data`) and `teardown(data)` (after), in
 * the main thread with a VU of their own (`__VU` 0, group `::setup` / `::teardown`, as k6 tags them).
 */
export async function runK6Lifecycle(
  mod: ScriptModule,
  which: 'setup' | 'teardown',
  data: unknown,
  o: { insecure: boolean; timeoutMs: number },
): Promise<{ result: unknown; metrics: MetricSet } | null> {
  const fn = mod[which] as ((d: unknown) => unknown) | undefined;
  if (!fn) return null;
  const recorder = new LoadRecorder([], which, performance.now());
  setActiveSink(recorder);
  const options = mod.options as Record<string, unknown>;
  configure(
    k6Config(options, o, () => recorder, (reason) => {
      throw new PerfloopError('LOAD_ABORTED', `${which}() aborted the test: ${reason}`, { exitCode: 1 });
    }),
  );
  const vu = newK6Vu(0, which, { insecure: o.insecure, perHost: 6 });
  vu.group = `::${which}`;
  vu.iteration = 0;
  let result: unknown;
  try {
    enter(vu);
    result = await fn(which === 'teardown' ? data : undefined);
  } catch (e) {
    if (e instanceof PerfloopError) throw e;
    const where = scriptLine(e);
    throw new PerfloopError(
      'LOAD_SCRIPT_FAILED',
      `${which}() failed: ${(e as Error)?.message ?? String(e)}${where ? ` at ${where}` : ''}`,
      { exitCode: 1, cause: e },
    );
  } finally {
    enter(null);
    setActiveSink(null);
    configure(null);
    await closeVuHttp(vu);
  }
  if (which === 'setup' && result !== undefined) {
    try {
      // k6 hands setup's data to VUs as JSON: functions and class instances do not survive.
      result = JSON.parse(JSON.stringify(result));
    } catch {
      throw new PerfloopError('LOAD_SCRIPT_FAILED', 'setup() must return data that JSON can carry', {
        exitCode: 2,
      });
    }
  }
  recorder.finish();
  return { result, metrics: recorder.metrics };
}
