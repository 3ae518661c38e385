import type { LoadRecorder } from '../recorder.js';
import type { Segment } from './segment.js';

/**
 * One virtual user. An iteration is one request of the mix (quick and declarative mode) or one call of the
 * script's exec function. `lateMs` is how much later than intended the iteration starts (arrival-rate
 * executors): latency is measured from the intended time, so it is added to the first request's duration.
 */
export interface Vu {
  readonly id: number;
  /** Runs one iteration; `done(ok)` reports `ok = false` after a transport error so closed loops back off. */
  iterate(lateMs: number, done: (ok: boolean) => void): void;
  /** Interrupts the VU: an iteration in flight ends without being recorded; the connection is released. */
  close(): void;
  /** Fails requests in flight longer than the timeout (the engine sweeps all VUs a few times a second). */
  expire?(now: number): void;
}

/** What an arrival-rate scenario planned and did, for "target vs achieved" and dropped/late iterations. */
export interface ArrivalStats {
  scenario: string;
  /** Iterations this generator was to start within the scenario's duration. */
  scheduled: number;
  started: number;
  /** Started more than LATE_MS after their intended time (no free VU, or a lagging event loop). */
  late: number;
  /** Never started: still waiting for a VU when the scenario's duration ended. */
  dropped: number;
  durationMs: number;
}

/** What an executor gets from the engine. */
export interface ExecutorContext {
  readonly scenario: string;
  readonly segment: Segment;
  readonly recorder: LoadRecorder;
  /** A new VU of this scenario (its connection opens on first use, so allocating is cheap). */
  newVU(): Vu;
  /** True once the run is interrupted (Ctrl-C, abortOnFail, time bound): start no more iterations. */
  stopped(): boolean;
  /** VUs of this scenario running an iteration loop (the `vus` gauge sums all scenarios). */
  setVUs(active: number): void;
  /** VUs of this scenario allocated so far (`vus_max`). */
  setAllocated(allocated: number): void;
  /** Short label of what the executor is doing now, for the live status ("ramping 10→50 VUs"). */
  setStage(label: string): void;
  /** Resolves after `ms`, or at once when the run is interrupted. */
  sleep(ms: number): Promise<void>;
  reportArrivals(stats: ArrivalStats): void;
}

export interface Executor {
  /** Resolves when every VU of the scenario has finished (or was interrupted after gracefulStop). */
  run(ctx: ExecutorContext): Promise<void>;
  /** Planned duration in ms without gracefulStop, for progress and the run's time bound. */
  readonly plannedMs: number;
  /** Longest the executor may wait for iterations in flight after `plannedMs`. */
  readonly gracefulStopMs: number;
  /** Most VUs this generator's share may use. */
  readonly maxVUs: number;
}

/**
 * An executor type, registered by name (k6's vocabulary). `fields` lists the config keys it accepts besides
 * the common ones (executor, startTime, gracefulStop, exec, tags, env). `validate` returns every problem at
 * once, each prefixed with its path; `create` gets a validated config and this generator's segment.
 */
export interface ExecutorFactory<Config = Record<string, unknown>> {
  readonly name: string;
  readonly fields: readonly string[];
  validate(config: Record<string, unknown>, path: string): string[];
  create(config: Config, segment: Segment): Executor;
  /** Most VUs the whole (unsegmented) scenario can use: caps the number of worker threads worth starting. */
  maxVUs(config: Config): number;
}
