import type { Http1Connection } from '../http1/connection.js';
import type { LoadRecorder } from '../recorder.js';
import type { RequestMix } from '../scenario.js';

/** What an executor gets from the engine: the request mix, the recorder, connections, and when to stop. */
export interface ExecutorContext {
  mix: RequestMix;
  recorder: LoadRecorder;
  newConnection(): Http1Connection;
  /** True once the run is interrupted (Ctrl-C, abort): stop starting iterations. */
  stopped(): boolean;
  /** Updates the `vus` gauge. */
  setVUs(active: number): void;
}

export interface Executor {
  /** Resolves when every VU has finished. */
  run(ctx: ExecutorContext): Promise<void>;
  /** Planned duration in ms, for progress display. */
  readonly plannedMs: number;
  readonly maxVUs: number;
}

/**
 * An executor type, registered by name (k6's vocabulary). `validate` returns every problem at once, each
 * prefixed with its path in the config.
 */
export interface ExecutorFactory<Config = unknown> {
  readonly name: string;
  validate(config: Record<string, unknown>, path: string): string[];
  create(config: Config): Executor;
}
