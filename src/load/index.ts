/** The load engine's public API (the CLI's `perfloop load` and `perfloop merge` are thin layers over it). */
export { runLoad, type LoadOptions, type LoadProgress } from './engine.js';
export {
  LoadResult,
  LOAD_SCHEMA,
  latencySummary,
  type LoadResultExtras,
  type LoadResultJSON,
  type PresetReport,
} from './result.js';
export { resolveScenarios, type LoadScriptOptions, type ScenarioPlan } from './options.js';
export type { RequestTemplate } from './scenario.js';
export type { RequestChecks } from './checks.js';
export { Segment } from './executors/segment.js';
export { executorNames } from './executors/registry.js';
export { parseThresholdExpression, type ThresholdExpression } from './thresholds/expression.js';
export {
  evaluateThresholds,
  parseThresholds,
  type ThresholdDef,
  type ThresholdResult,
} from './thresholds/thresholds.js';
export { mergeLoadResults, readLoadDoc } from './merge.js';
export { preset, PRESET_NAMES, recoveryTime, latencyDrift, type PresetName } from './presets.js';
export { formatSummary } from './summary.js';
export { summaryExport } from './output/summary-export.js';
export { statusLine, statusPrinter } from './live-status.js';
export { loadDeclarative, parseDeclarative } from './script/declarative.js';
export { Trend, Counter, Rate, Gauge } from './script/api.js';
export type { LoadContext } from './script/context.js';
export type { HttpResponse, HttpParams } from './script/http.js';
