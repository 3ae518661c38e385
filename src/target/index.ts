/**
 * The target runner: start the service under test, wait until it is ready, sample its process
 * tree from /proc, stop it.
 */
export type { ReadyCheck, RunningTarget, TargetExit, TargetOptions } from './types.js';
export { startTarget } from './start.js';
export { ProcSampler, type ProcTreeSample } from './proc-sampler.js';
export { processTree } from './proc-tree.js';
