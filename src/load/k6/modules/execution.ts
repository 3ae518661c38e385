/** k6/execution (https://grafana.com/docs/k6/latest/javascript-api/k6-execution/): who and where this VU runs. */
import { config, cur, K6Interrupt } from '../runtime.js';

const vuOrThrow = () => {
  if (!cur) throw new Error('k6/execution: this information is only available in VU code');
  return cur;
};

export class K6Abort extends K6Interrupt {}

const execution = {
  get vu() {
    const vu = vuOrThrow();
    return {
      idInTest: vu.id,
      idInInstance: vu.id,
      iterationInInstance: vu.iteration,
      iterationInScenario: vu.iterationInScenario,
      // Read for changing, usually: the cached request tags must be rebuilt.
      get tags() {
        vu.tagCache.clear();
        return vu.tags;
      },
      metrics: {
        get tags() {
          vu.tagCache.clear();
          return vu.tags;
        },
        metadata: {},
      },
    };
  },
  get scenario() {
    const vu = vuOrThrow();
    const elapsed = performance.now() - vu.scenarioStartedAt;
    return {
      name: vu.scenario,
      executor: vu.executor,
      startTime: Math.round(performance.timeOrigin + vu.scenarioStartedAt),
      progress: vu.plannedMs > 0 ? Math.min(1, elapsed / vu.plannedMs) : 0,
      iterationInInstance: vu.iterationInScenario,
      iterationInTest: vu.iterationInScenario,
    };
  },
  get instance() {
    return {
      currentTestRunDuration: config ? performance.now() - config.testStartedAt : 0,
      iterationsCompleted: 0,
      iterationsInterrupted: 0,
      vusActive: 0,
      vusInitialized: 0,
    };
  },
  test: {
    /** Stops the whole test (k6: exit code 108); this iteration ends here. */
    abort(reason = 'test aborted'): never {
      config?.abort(reason);
      throw new K6Abort(`test aborted: ${reason}`);
    },
    get options() {
      return config?.options ?? {};
    },
  },
};

export default execution;
