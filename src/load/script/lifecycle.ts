import { PerfloopError } from '../../core/errors.js';
import type { MetricSet } from '../../core/metric-set.js';
import { LoadRecorder } from '../recorder.js';
import { setActiveSink } from './api.js';
import { createContext, type VuState } from './context.js';
import { scriptAgent } from './http.js';
import type { ScriptModule } from './module.js';

/**
 * Runs the script's `setup(ctx)` (before the load; its result becomes `ctx.data` in every VU, copied to
 * worker threads) or `teardown(ctx)` (after). Their requests are recorded with group `::setup`/`::teardown`.
 */
export async function runLifecycle(
  mod: ScriptModule,
  which: 'setup' | 'teardown',
  data: unknown,
  o: { http2: boolean; insecure: boolean; timeoutMs: number },
): Promise<{ result: unknown; metrics: MetricSet } | null> {
  const fn = mod[which];
  if (!fn) return null;
  const recorder = new LoadRecorder([], which, performance.now());
  setActiveSink(recorder);
  const agent = scriptAgent(o);
  const state: VuState = {
    id: 0,
    iteration: 0,
    scenario: which,
    scenarioTags: {},
    group: `::${which}`,
    lateMs: 0,
    closed: false,
    wake: new Set(),
  };
  const ctx = createContext(state, { dispatcher: agent, recorder: () => recorder, data });
  let result: unknown;
  try {
    result = await fn(ctx);
  } catch (e) {
    throw new PerfloopError(
      'LOAD_SCRIPT_FAILED',
      `${which}() failed: ${(e as Error)?.message ?? String(e)}`,
      { exitCode: 1, cause: e },
    );
  } finally {
    setActiveSink(null);
    await agent.destroy().catch(() => {});
  }
  if (which === 'setup') {
    try {
      structuredClone(result);
    } catch {
      throw new PerfloopError(
        'LOAD_SCRIPT_FAILED',
        'setup() must return plain data (it is copied to every worker thread)',
        { exitCode: 2 },
      );
    }
  }
  recorder.finish();
  return { result, metrics: recorder.metrics };
}
