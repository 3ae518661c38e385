/**
 * The normalised PostgreSQL plan tree (from EXPLAIN JSON or text, PostgreSQL 12–18). Fields keep
 * PostgreSQL's meaning: row counts and times are per loop as EXPLAIN prints them; `inclusiveMs` and
 * `exclusiveMs` (plan/timing.ts) are the derived wall times with loops and parallel workers accounted for.
 */

export interface PlanBuffers {
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  sharedWritten: number;
  localHit: number;
  localRead: number;
  tempRead: number;
  tempWritten: number;
}

export interface PlanActual {
  /** ms per loop (null when TIMING was off). */
  startupMs: number | null;
  totalMs: number | null;
  /** Rows per loop (PostgreSQL 18 prints fractions). */
  rows: number;
  loops: number;
}

/** Per-worker details of a parallel node (text `Worker N:` lines, JSON `Workers`). */
export interface PlanWorker {
  worker: number;
  props: Record<string, unknown>;
}

export interface PlanNode {
  /** Pre-order number, 1 = the root: how reports name a node (`#3`). */
  id: number;
  /** Child indices from the root, e.g. `0.1.0` (the root is `0`). */
  path: string;
  /** PostgreSQL's node type as in JSON: `Seq Scan`, `Hash Join`, `Aggregate`, `ModifyTable`, … */
  nodeType: string;
  /** Human label as EXPLAIN text shows it: `Parallel Seq Scan on orders o`, `HashAggregate`. */
  label: string;
  parentRelationship: string | null;
  /** `CTE name`, `InitPlan 1 (returns $0)`, `SubPlan 2`. */
  subplanName: string | null;
  parallelAware: boolean;
  relation: string | null;
  schema: string | null;
  alias: string | null;
  indexName: string | null;
  cteName: string | null;
  joinType: string | null;
  /** Aggregate / SetOp strategy: Plain, Sorted, Hashed, Mixed. */
  strategy: string | null;
  /** Partial / Finalize / Simple. */
  partialMode: string | null;
  /** ModifyTable operation: Insert, Update, Delete, Merge. */
  operation: string | null;
  startupCost: number | null;
  totalCost: number | null;
  planRows: number | null;
  planWidth: number | null;
  /** Null when the plan was not run (EXPLAIN without ANALYZE). */
  actual: PlanActual | null;
  workersPlanned: number | null;
  workersLaunched: number | null;
  buffers: PlanBuffers | null;
  /** Every field of the node as PostgreSQL gave it (JSON key names), for rules and display. */
  props: Record<string, unknown>;
  workers: PlanWorker[];
  children: PlanNode[];
  parent: PlanNode | null;
  /** Wall time of the node and everything it ran (ms); null without ANALYZE timing. */
  inclusiveMs: number | null;
  /** Wall time spent in this node alone (ms); null without ANALYZE timing. */
  exclusiveMs: number | null;
  /** Processes that ran this node at once (workers launched + leader under a Gather; else 1). */
  processes: number;
}

export interface PlanJit {
  functions: number | null;
  generationMs: number | null;
  inliningMs: number | null;
  optimizationMs: number | null;
  emissionMs: number | null;
  totalMs: number | null;
}

export interface PlanTrigger {
  name: string;
  /** The constraint a constraint trigger enforces (foreign keys: `Trigger for constraint x_fkey`). */
  constraint: string | null;
  relation: string | null;
  timeMs: number;
  calls: number;
}

/** The EXPLAIN format the plan was read from. */
export type PlanFormat = 'json' | 'text' | 'yaml' | 'xml';

export interface Plan {
  root: PlanNode;
  /** Pre-order list of every node. */
  nodes: PlanNode[];
  format: PlanFormat;
  /** EXPLAIN ANALYZE: actual rows and loops are known. */
  analyzed: boolean;
  /** ANALYZE with TIMING on: actual times are known. */
  timed: boolean;
  planningMs: number | null;
  executionMs: number | null;
  planningBuffers: PlanBuffers | null;
  jit: PlanJit | null;
  triggers: PlanTrigger[];
  /** `Settings` (PostgreSQL 12+ with SETTINGS): non-default planner settings. */
  settings: Record<string, string>;
  queryText: string | null;
}

/** `Seq Scan on orders o (#3)`: how a finding names a node. */
export function nodeName(n: PlanNode): string {
  return `${n.label} (#${n.id})`;
}

/** Evidence block naming a node (path and type). */
export function nodeRef(n: PlanNode): Record<string, unknown> {
  return {
    id: n.id,
    path: n.path,
    type: n.nodeType,
    label: n.label,
    ...(n.relation ? { relation: n.schema ? `${n.schema}.${n.relation}` : n.relation } : {}),
    ...(n.indexName ? { index: n.indexName } : {}),
  };
}

/** Node and its descendants, pre-order. */
export function subtree(n: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const visit = (x: PlanNode) => {
    out.push(x);
    x.children.forEach(visit);
  };
  visit(n);
  return out;
}
