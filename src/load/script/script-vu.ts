import type { Vu } from '../executors/types.js';
import type { ScenarioPlan } from '../options.js';
import type { LoadRecorder } from '../recorder.js';
import type { ThreadPlan } from '../runner.js';
import type { VuFactory } from '../vu/factory.js';
import { setActiveSink } from './api.js';
import { createContext, type LoadContext, type VuState } from './context.js';
import { scriptAgent } from './http.js';
import { importScript, scenarioFunctions, type IterationFn } from './module.js';
import { UnawaitedTracker, type Pending } from './unawaited.js';

/** A VU running the script's exec function once per iteration, with its own `ctx`. */
class ScriptVu implements Vu {
  readonly state: VuState;
  private readonly ctx: LoadContext;
  private readonly pending: Pending = [];

  constructor(
    readonly id: number,
    private readonly scenarioIndex: number,
    scenario: ScenarioPlan,
    private readonly fn: IterationFn,
    private readonly shared: Shared,
  ) {
    this.state = {
      id,
      iteration: -1,
      scenario: scenario.name,
      scenarioTags: scenario.tags,
      group: '',
      lateMs: 0,
      closed: false,
      wake: new Set(),
    };
    this.ctx = createContext(this.state, {
      dispatcher: shared.agent,
      recorder: () => shared.recorder!,
      data: shared.data,
      unawaited: { tracker: shared.unawaited, pending: this.pending },
    });
  }

  iterate(lateMs: number, done: (ok: boolean) => void): void {
    if (this.state.closed) return done(false);
    this.state.iteration++;
    this.state.lateMs = lateMs;
    this.state.group = '';
    const t = performance.now();
    // Settle on a later turn of the event loop, so a script that never awaits I/O cannot starve timers.
    Promise.resolve()
      .then(() => this.fn(this.ctx))
      .then(
        () => {
          this.shared.unawaited.settle(this.pending);
          if (!this.state.closed)
            this.shared.recorder!.iteration(this.scenarioIndex, performance.now() - t + lateMs);
          setImmediate(done, true);
        },
        (err: unknown) => {
          this.shared.unawaited.settle(this.pending);
          if (!this.state.closed) this.shared.noteError(err);
          setImmediate(done, false);
        },
      );
  }

  close(): void {
    this.state.closed = true;
    for (const wake of [...this.state.wake]) wake();
  }
}

interface Shared {
  agent: ReturnType<typeof scriptAgent>;
  recorder: LoadRecorder | null;
  data: unknown;
  noteError(err: unknown): void;
  unawaited: UnawaitedTracker;
}

/** Imports the script in this thread and makes VUs that run its functions. */
export async function scriptVuFactory(plan: ThreadPlan, path: string): Promise<VuFactory> {
  const mod = await importScript(path);
  const fns = scenarioFunctions(mod, plan.scenarios, path, 'export default async function (ctx) { … }');
  let errors = 0;
  const samples: string[] = [];
  const shared: Shared = {
    agent: scriptAgent(plan),
    recorder: null,
    data: plan.setupData,
    unawaited: new UnawaitedTracker(),
    noteError(err) {
      errors++;
      const msg = err instanceof Error ? err.message : String(err);
      if (samples.length < 3 && !samples.includes(msg)) samples.push(msg);
    },
  };
  return {
    requestNames: [],
    attach(recorder) {
      shared.recorder = recorder;
      setActiveSink(recorder);
    },
    create: (id, scenarioIndex, scenario) =>
      new ScriptVu(id, scenarioIndex, scenario, fns.get(scenario.name)!, shared),
    warnings: () => [
      ...(errors > 0
        ? [`${errors} iteration(s) threw an error, e.g. ${samples.map((s) => JSON.stringify(s)).join('; ')}`]
        : []),
      ...shared.unawaited.warnings(),
    ],
    async close() {
      setActiveSink(null);
      await shared.agent.destroy().catch(() => {});
    },
  };
}
