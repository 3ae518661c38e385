import type { PlanRuleOptions } from './types.js';

export const DEFAULT_PLAN_RULE_OPTIONS: PlanRuleOptions = {
  minSavingMs: 1,
  seqScanMinRemovedRows: 1000,
  seqScanMinRemovedShare: 0.9,
  misestimateFactor: 10,
  nestedLoopMinLoops: 1000,
  heapFetchesMin: 100,
  heapFetchesShare: 0.1,
  jitShare: 0.3,
  jitMinMs: 10,
  planningMinMs: 5,
  planningRatio: 1,
  slowCountMs: 50,
  slowCountMinRows: 100_000,
  cacheMissMinBlocks: 1000,
  cacheMissRatio: 2,
  hotNodeSlowMs: 100,
  severityFloorMs: { critical: 100, high: 20, medium: 5 },
  triggerShare: 0.2,
  triggerMinMs: 10,
};
