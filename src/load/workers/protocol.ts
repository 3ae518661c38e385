import type { MetricSetJSON } from '../../core/metric-set.js';
import type { Tags } from '../../core/metric.js';
import type { ArrivalStats } from '../executors/types.js';
import type { GeneratorHealth, ThreadPlan, ThreadTick } from '../runner.js';

/** Messages between the engine (main thread) and its generator worker threads. */
export interface WorkerData {
  plan: ThreadPlan;
  /** Send every sample back (for --out). */
  points: boolean;
}

export type ToWorker =
  { type: 'start'; startAtEpochMs: number } | { type: 'stop' } | { type: 'snapshot'; id: number };

export type Point = [metric: string, value: number, tags: Tags, timeMs: number];

export interface SerializedError {
  code?: string;
  message: string;
  hint?: string;
  exitCode?: number;
}

export interface WorkerDone {
  metrics: MetricSetJSON;
  durationS: number;
  interrupted: boolean;
  arrivals: ArrivalStats[];
  generator: GeneratorHealth;
  warnings: string[];
}

export type FromWorker =
  | { type: 'ready'; requestNames: string[] }
  | ({ type: 'tick' } & ThreadTick)
  | { type: 'points'; points: Point[] }
  | { type: 'snapshot'; id: number; metrics: MetricSetJSON | null }
  | { type: 'done'; result: WorkerDone }
  | { type: 'error'; error: SerializedError };
