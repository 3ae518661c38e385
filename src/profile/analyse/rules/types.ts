import type { Finding } from '../../../core/finding.js';
import type { Profile } from '../../../core/profile.js';
import type { CategoryRule, NodeCategories } from '../categories.js';
import type { CategoryShare, TopConsumer } from '../top-consumers.js';
import type { FrameWeights } from '../weights.js';

export interface ProfileRuleInput {
  profile: Profile;
  weights: FrameWeights;
  /** Functions by self time (more than the report shows, so rules see the tail). */
  top: TopConsumer[];
  categories: CategoryShare[];
  /** Category of every node (nearest specific category up the stack, else the node's generic one). */
  nodeCategories: NodeCategories;
  /** User category rules (their actions win), before the defaults. */
  categoryRules: readonly CategoryRule[];
  /** Converts a weight in the profile's unit to ms (NaN when the unit is not time). */
  toMs(weight: number): number;
}

/** One analysis rule over a profile; registered by id. */
export interface ProfileRule {
  id: string;
  run(input: ProfileRuleInput): Finding[];
}
