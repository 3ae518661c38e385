import type { ProfileRule } from './types.js';
import { deepRecursion } from './deep-recursion.js';
import { gcPressure } from './gc-pressure.js';
import { hotDependency } from './hot-dependency.js';
import { hotFunction } from './hot-function.js';
import { hotPath } from './hot-path.js';
import { logging } from './logging.js';
import { regexp } from './regexp.js';
import { serialization } from './serialization.js';
import { syncIo } from './sync-io.js';

/** Every profile rule, by id. Adding a rule is adding its file and one line here. */
export const PROFILE_RULES: readonly ProfileRule[] = [
  hotFunction,
  hotPath,
  hotDependency,
  deepRecursion,
  gcPressure,
  logging,
  serialization,
  regexp,
  syncIo,
];
