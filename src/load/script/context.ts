import type { Tags } from '../../core/metric.js';
import type { LoadRecorder } from '../recorder.js';
import { ScriptHttp, type HttpEnv, type HttpVuState } from './http.js';
import type { Pending, UnawaitedTracker } from './unawaited.js';

/** What a script's functions receive: k6's `http`, `check`, `sleep`, `group`, plus who and where it runs. */
export interface LoadContext {
  readonly vu: number;
  /** This VU's iteration number (0-based). */
  readonly iteration: number;
  readonly scenario: string;
  /** What `setup()` returned. */
  readonly data: unknown;
  readonly env: NodeJS.ProcessEnv;
  readonly http: ScriptHttp;
  /** Runs each named predicate on `value`, records the `checks` metric, returns true when all pass. */
  check<T>(value: T, checks: Record<string, (v: T) => unknown>, tags?: Record<string, string>): boolean;
  /** Pauses the VU (seconds, as k6). */
  sleep(seconds: number): Promise<void>;
  /** Runs `fn` in a named group: its requests and checks carry the `group` tag; `group_duration` is recorded. */
  group<R>(name: string, fn: () => R | Promise<R>): Promise<R>;
}

export interface VuState extends HttpVuState {
  id: number;
  iteration: number;
  /** Resolves pending sleeps when the VU is interrupted. */
  wake: Set<() => void>;
}

const HTTP_METHODS = ['get', 'head', 'post', 'put', 'patch', 'del', 'request'] as const;

export function createContext(
  state: VuState,
  env: HttpEnv & { data: unknown; unawaited?: { tracker: UnawaitedTracker; pending: Pending } },
): LoadContext {
  const raw = new ScriptHttp(state, env);
  const u = env.unawaited;
  // Each promise notes whether it was awaited (unawaited.ts); setup/teardown run untracked.
  const http = u
    ? (Object.fromEntries(
        HTTP_METHODS.map((m) => [
          m,
          (...a: unknown[]) =>
            u.tracker.track(u.pending, `ctx.http.${m}()`, () =>
              (raw[m] as (...x: unknown[]) => Promise<unknown>).apply(raw, a),
            ),
        ]),
      ) as unknown as ScriptHttp)
    : raw;
  const rec = (): LoadRecorder => env.recorder();
  return {
    get vu() {
      return state.id;
    },
    get iteration() {
      return state.iteration;
    },
    get scenario() {
      return state.scenario;
    },
    data: env.data,
    env: process.env,
    http,
    check(value, checks, tags) {
      let all = true;
      for (const [name, fn] of Object.entries(checks)) {
        let ok: boolean;
        try {
          ok = !!fn(value);
        } catch {
          ok = false;
        }
        if (!ok) all = false;
        if (!state.closed) {
          const t: Tags = {
            ...state.scenarioTags,
            scenario: state.scenario,
            group: state.group,
            ...(tags ?? {}),
            check: name,
          };
          rec().add('checks', ok ? 1 : 0, t);
        }
      }
      return all;
    },
    sleep(seconds) {
      if (u) return u.tracker.track(u.pending, 'ctx.sleep()', () => sleepFor(state, seconds));
      return sleepFor(state, seconds);
    },
    async group(name, fn) {
      const outer = state.group;
      state.group = `${outer}::${name}`;
      const t = performance.now();
      try {
        return await fn();
      } finally {
        if (!state.closed)
          rec().add('group_duration', performance.now() - t, {
            scenario: state.scenario,
            group: state.group,
          });
        state.group = outer;
      }
    },
  };
}

function sleepFor(state: VuState, seconds: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (state.closed || !(seconds > 0)) return resolve();
    const wake = () => {
      clearTimeout(timer);
      state.wake.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, seconds * 1000);
    state.wake.add(wake);
  });
}
