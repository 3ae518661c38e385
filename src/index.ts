/** perfloop's library API: the models, the pieces of the loop, and the config helper. */
export * from './core/index.js';
export { defineConfig, type PerfloopConfig } from './loop/config.js';
export { runService, type RunServiceOptions, type RunServiceResult } from './loop/run-service.js';
export { runLoad, type LoadOptions, type LoadProgress } from './load/engine.js';
export { LoadResult } from './load/result.js';
export { importCpuProfile } from './profile/import/cpuprofile.js';
export { analyseProfile, type ProfileAnalysis } from './profile/analyse/index.js';
export { startTarget, ProcSampler } from './target/index.js';
export { AgentCollector } from './agent/collector.js';
export { RunStore } from './store/run-store.js';
export { parseBudget, loadBudget, type Budget } from './gate/budget.js';
