import type { Finding } from '../../core/finding.js';
import type { HeapGraph } from '../graph/heap-graph.js';
import type { Scopes } from '../scopes.js';
import type { SnapshotFacts } from '../snapshot-facts.js';

/** What every heap leak rule gets: the facts of each snapshot in order, and the last snapshot's graph. */
export interface HeapRuleContext {
  facts: readonly SnapshotFacts[];
  last: HeapGraph;
  scopes: Scopes;
  /** Bytes the heap grew between the first and the last snapshot. */
  heapGrowth: number;
  /** Ids of objects allocated between the first and second snapshot (JS object ids are assigned in order). */
  newRange?: { afterId: number; upToId: number };
  /** Seconds from the first to the last snapshot, when known: growth over a short span says little about a bound. */
  spanS?: number;
  /**
   * Nodes (ordinals in `last`) a finding already names as the holder of a leak. Rules run in order and skip
   * growth whose retainer path goes through one of these, so one leak is reported once, by the most
   * specific rule.
   */
  covered: Set<number>;
}

export interface HeapRule {
  id: string;
  run(ctx: HeapRuleContext): Finding[];
}
