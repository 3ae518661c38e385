import type { Vu } from '../executors/types.js';
import type { ScenarioPlan } from '../options.js';
import type { LoadRecorder } from '../recorder.js';
import type { ThreadPlan } from '../runner.js';
import { setActiveSink } from '../script/api.js';
import { importScript, scenarioFunctions, type IterationFn } from '../script/module.js';
import type { VuFactory } from '../vu/factory.js';
import { CookieJar } from './cookie-jar.js';
import { IterationErrors } from './iteration-errors.js';
import { closeVuHttp } from './http-client.js';
import { configure, enter, isInterrupt, setDeadline, type K6Config, type K6Vu } from './runtime.js';

/** k6's defaults for what the script's options may change. */
export function k6Config(
  options: Record<string, unknown>,
  plan: Pick<ThreadPlan, 'timeoutMs'>,
  recorder: () => LoadRecorder | null,
  abort: (reason: string) => void,
): K6Config {
  const debug = (options.httpDebug ?? process.env.K6_HTTP_DEBUG) as string | boolean | undefined;
  return {
    recorder,
    maxRedirects: typeof options.maxRedirects === 'number' ? options.maxRedirects : 10,
    userAgent: typeof options.userAgent === 'string' ? options.userAgent : 'perfloop/0.1 (k6 compatible)',
    discardResponseBodies: options.discardResponseBodies === true,
    timeoutMs: plan.timeoutMs,
    batchPerHost: typeof options.batchPerHost === 'number' ? options.batchPerHost : 6,
    batch: typeof options.batch === 'number' ? options.batch : 20,
    httpDebug: debug === 'full' ? 'full' : debug ? 'headers' : '',
    noConnectionReuse: options.noConnectionReuse === true,
    testStartedAt: performance.now(),
    abort,
    options,
  };
}

export function newK6Vu(id: number, scenario: string, o: { insecure: boolean; perHost: number }): K6Vu {
  const vu: K6Vu = {
    id,
    iteration: -1,
    iterationInScenario: -1,
    scenario,
    scenarioTags: {},
    group: '',
    tags: {},
    lateMs: 0,
    closed: false,
    jar: new CookieJar(),
    wake: new Set(),
    connects: [],
    dispatcher: null,
    conns: null,
    httpOptions: o,
    scenarioStartedAt: performance.now(),
    executor: '',
    plannedMs: 0,
    tagCache: new Map(),
  };
  return vu;
}

/** A VU running the k6 script's exec function: synchronous-looking code, transformed to awaits. */
class K6ScriptVu implements Vu {
  readonly state: K6Vu;
  private readonly data: unknown;

  constructor(
    readonly id: number,
    private readonly scenarioIndex: number,
    scenario: ScenarioPlan,
    private readonly fn: IterationFn,
    private readonly shared: Shared,
  ) {
    this.state = newK6Vu(id, scenario.name, shared.http);
    this.state.scenarioTags = scenario.tags;
    if (scenario.env) this.state.env = { ...process.env, ...scenario.env };
    this.state.executor = scenario.executor;
    this.state.tags = { ...shared.testTags };
    // Each VU gets its own copy of setup()'s data, as in k6.
    this.data = shared.data === undefined ? undefined : structuredClone(shared.data);
  }

  iterate(lateMs: number, done: (ok: boolean) => void): void {
    const s = this.state;
    if (s.closed) return done(false);
    s.iteration++;
    s.iterationInScenario++;
    s.lateMs = lateMs;
    s.group = '';
    const t = performance.now();
    const finish = (err: unknown, failed: boolean) => {
      if (!s.closed && !isInterrupt(err)) {
        if (failed) this.shared.errors.note(err, s.scenario);
        // k6 counts an iteration that threw as an iteration (with its duration).
        this.shared.recorder!.iteration(this.scenarioIndex, performance.now() - t + lateMs);
      }
      // Settle on a later turn of the event loop, so a script that never awaits I/O cannot starve timers.
      setImmediate(done, !failed);
    };
    let result: unknown;
    try {
      enter(s);
      result = this.fn(this.data);
    } catch (e) {
      enter(null);
      return finish(e, true);
    }
    enter(null);
    if (result && typeof (result as Promise<unknown>).then === 'function')
      (result as Promise<unknown>).then(
        () => finish(null, false),
        (e: unknown) => finish(e, true),
      );
    else finish(null, false);
  }

  close(): void {
    this.state.closed = true;
    for (const wake of [...this.state.wake]) wake();
    void closeVuHttp(this.state);
  }
}

interface Shared {
  recorder: LoadRecorder | null;
  data: unknown;
  errors: IterationErrors;
  /** k6's test-wide `options.tags` (and --tag): on every sample. */
  testTags: Record<string, string>;
  http: { insecure: boolean; perHost: number };
}

/** Imports the k6 script in this thread (transformed by the module hooks) and makes its VUs. */
export async function k6VuFactory(plan: ThreadPlan, path: string): Promise<VuFactory> {
  const mod = await importScript(path);
  const fns = scenarioFunctions(mod, plan.scenarios, path, 'export default function () { … }');
  const options = plan.scriptOptions ?? (mod.options as Record<string, unknown>);
  const shared: Shared = {
    recorder: null,
    data: plan.setupData,
    errors: new IterationErrors(path),
    testTags: (options.tags as Record<string, string> | undefined) ?? {},
    http: {
      insecure: plan.insecure || options.insecureSkipTLSVerify === true,
      perHost: typeof options.batchPerHost === 'number' && options.batchPerHost > 0 ? options.batchPerHost : 6,
    },
  };
  const stopFlag = plan.stopFlag ?? null;
  const abortReasons: string[] = [];
  return {
    requestNames: [],
    attach(recorder, _names, endsAt) {
      shared.recorder = recorder;
      setActiveSink(recorder);
      configure(
        k6Config(options, plan, () => shared.recorder, (reason) => {
          abortReasons.push(reason);
          if (stopFlag) Atomics.store(stopFlag, 0, 2);
        }),
      );
      // A little past the engine's own bound, so cooperative VUs end through their executor first.
      setDeadline(endsAt === undefined ? Infinity : endsAt + 250, stopFlag);
    },
    create: (id, scenarioIndex, scenario) =>
      new K6ScriptVu(id, scenarioIndex, scenario, fns.get(scenario.name)!, shared),
    warnings: () => [
      ...shared.errors.warnings(),
      ...abortReasons.slice(0, 1).map((r) => `The script aborted the test: ${r}`),
    ],
    async close() {
      setActiveSink(null);
      configure(null);
      setDeadline(Infinity, null);
    },
  };
}
