import type { Finding, Severity } from '../../core/finding.js';
import type { Plan } from '../plan/types.js';

/** Thresholds of the plan rules; every one has a default (rules/options.ts). */
export interface PlanRuleOptions {
  /** A fix saving less than this (ms) is at most `low`: a fast statement is not a problem. */
  minSavingMs: number;
  seqScanMinRemovedRows: number;
  /** Share (0–1) of the rows read that the filter discards. */
  seqScanMinRemovedShare: number;
  misestimateFactor: number;
  nestedLoopMinLoops: number;
  heapFetchesMin: number;
  /** Heap fetches per row returned. */
  heapFetchesShare: number;
  /** JIT time as a share (0–1) of execution time. */
  jitShare: number;
  jitMinMs: number;
  planningMinMs: number;
  /** Planning time at least this many times the execution time. */
  planningRatio: number;
  slowCountMs: number;
  slowCountMinRows: number;
  cacheMissMinBlocks: number;
  /** Shared blocks read at least this many times the blocks hit. */
  cacheMissRatio: number;
  /** The hottest node is reported above `info` only when the statement takes at least this long (ms). */
  hotNodeSlowMs: number;
  /**
   * Absolute floors (ms of time a fix saves, per call or over all calls when the workload is known): a share
   * alone does not make a 2 ms statement critical.
   */
  severityFloorMs: { critical: number; high: number; medium: number };
  /** Trigger time as a share (0–1) of execution time, and at least this many ms. */
  triggerShare: number;
  triggerMinMs: number;
}

/** How often the statement runs, when pg_stat_statements or captures tell: severity then follows the total. */
export interface StatementWorkload {
  calls: number;
  /** Total execution time over those calls (ms). */
  totalMs: number;
}

export interface PlanRuleContext {
  plan: Plan;
  options: PlanRuleOptions;
  /** Planning + execution time (ms), the base of every estimated saving; null without timing. */
  statementMs: number | null;
  /** Calls and total time of this statement in the workload, when known. */
  workload?: StatementWorkload | null;
}

/** A plan rule: one file, one id, registered in rules/index.ts. */
export interface PlanRule {
  id: string;
  /** One line for --help and docs. */
  description: string;
  check(ctx: PlanRuleContext): Finding[];
}

export type { Finding, Severity };
