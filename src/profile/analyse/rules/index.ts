import type { ProfileRule } from './types.js';
import { hotFunction } from './hot-function.js';

/** Every profile rule, by id. Adding a rule is adding its file and one line here. */
export const PROFILE_RULES: readonly ProfileRule[] = [hotFunction];
