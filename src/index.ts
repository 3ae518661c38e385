/** perfloop's library API: the models, each part of the loop, and the config helper. */
export * from './core/index.js';
export { defineConfig, type PerfloopConfig } from './loop/config.js';
export { runService, type RunServiceOptions, type RunServiceResult } from './loop/run-service.js';
export { runDemo, type DemoOptions, type DemoResult } from './loop/demo-loop.js';
// load
export * from './load/index.js';
// target and agent
export { startTarget, ProcSampler, processTree, type RunningTarget, type TargetOptions, type ProcTreeSample } from './target/index.js';
export { AgentCollector } from './agent/collector.js';
// CPU profiles
export { importProfileFile, importProfileFiles } from './profile/import/index.js';
export { importCpuProfile } from './profile/import/cpuprofile.js';
export { exportProfile } from './profile/export/index.js';
export { analyseProfile, type ProfileAnalysis } from './profile/analyse/index.js';
export { diffProfiles } from './profile/diff/diff.js';
export { flameData } from './profile/render/flame-data.js';
export { flameHtml } from './profile/render/flame-html.js';
export { flameSvg } from './profile/render/flame-svg.js';
// memory
export { loadHeapGraph, summariseHeap, summariseHeapFile, diffHeapSnapshots, HEAP_RULES, heapTablesMarkdown, memoryTrend, findMemoryGrowth, findGcPauseGrowth, importSamplingHeapProfile, type HeapDiff, type HeapSummary } from './memory/index.js';
// database
export { analyseRunDatabase } from './db/run-database.js';
export { connectPostgres, pgliteRunner, type SqlRunner } from './db/runner.js';
export { startOtlpReceiver } from './db/otlp-receiver.js';
// history, comparison, gate
export { RunStore } from './store/run-store.js';
export type { RunListItem } from './store/run-store.js';
export { openStore, storeLocation } from './store/open-store.js';
export { copyStore } from './store/copy.js';
export { parseBudget, loadBudget, type Budget } from './gate/budget.js';
export { compareRuns, type ComparisonRow } from './gate/compare/compare-runs.js';
export { evaluateGate } from './gate/gate.js';
// jobs
export { runJob, type JobOptions, type JobResult } from './job/run-job.js';
export { jobJson, JOB_SCHEMA } from './job/job-text.js';
