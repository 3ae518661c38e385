/** Plan rules, by id. Adding a rule is adding its file and one entry here. */
import { cacheMissRule } from './cache-miss.js';
import { hashSpillRule } from './hash-spill.js';
import { heapFetchesRule } from './heap-fetches.js';
import { hotNodeRule } from './hot-node.js';
import { jitDominantRule } from './jit-dominant.js';
import { lossyBitmapRule } from './lossy-bitmap.js';
import { nestedLoopManyRule } from './nested-loop-many.js';
import { planningDominantRule } from './planning-dominant.js';
import { rowMisestimateRule } from './row-misestimate.js';
import { seqScanFilterRule } from './seq-scan-filter.js';
import { slowCountRule } from './slow-count.js';
import { sortSpillRule } from './sort-spill.js';
import { triggerTimeRule } from './trigger-time.js';
import type { PlanRule } from './types.js';
import { workersNotLaunchedRule } from './workers-not-launched.js';

export const PLAN_RULES: readonly PlanRule[] = [
  seqScanFilterRule,
  rowMisestimateRule,
  sortSpillRule,
  hashSpillRule,
  nestedLoopManyRule,
  lossyBitmapRule,
  heapFetchesRule,
  jitDominantRule,
  planningDominantRule,
  slowCountRule,
  cacheMissRule,
  workersNotLaunchedRule,
  triggerTimeRule,
  hotNodeRule,
];

export type { PlanRule, PlanRuleContext, PlanRuleOptions } from './types.js';
export { DEFAULT_PLAN_RULE_OPTIONS } from './options.js';
