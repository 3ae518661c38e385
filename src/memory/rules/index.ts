import { closureLeak } from './closure-leak.js';
import { globalGrowth } from './global-growth.js';
import { listenerLeak } from './listener-leak.js';
import { timerLeak } from './timer-leak.js';
import { unboundedCollection } from './unbounded-collection.js';
import { unsettledPromises } from './unsettled-promises.js';
import type { HeapRule } from './types.js';

export type { HeapRule, HeapRuleContext } from './types.js';

/**
 * The heap-diff leak rules, most specific first: a later rule skips growth an earlier finding already
 * explains (see HeapRuleContext.covered). Adding a rule is adding its file and one entry here.
 */
export const HEAP_RULES: readonly HeapRule[] = [listenerLeak, timerLeak, unsettledPromises, unboundedCollection, closureLeak, globalGrowth];
