/**
 * The memory module's public API: the timeline (memory.growth, memory.gc-pause), heap snapshots (parse in a
 * worker, summary, diff with leak rules), the report tables, and the sampling heap profile importer.
 */
export { memoryTrend, findMemoryGrowth, type MemoryPoint, type MemoryTrend, type GrowthOptions } from './timeline.js';
export { theilSen, type SlopeEstimate } from './theil-sen.js';
export { gcPauseTrend, findGcPauseGrowth, type GcSample, type GcPauseTrend, type GcPauseOptions } from './gc-pause.js';
export { loadHeapGraph, type LoadOptions, type LoadProgress } from './snapshot/load.js';
export { HeapGraph, type HeapGraphData } from './graph/heap-graph.js';
export { summariseHeap, summariseHeapFile, type HeapSummary, type SummaryOptions, type LargestRetainer, type DuplicatedString } from './heap-summary.js';
export { classAggregates, type ClassAggregate } from './class-aggregates.js';
export { diffHeapSnapshots, type HeapDiff, type DiffOptions, type DiffSnapshot, type GrowingClass } from './heap-diff.js';
export { leakClusters, type LeakCluster } from './leak-clusters.js';
export { HEAP_RULES, type HeapRule, type HeapRuleContext } from './rules/index.js';
export { retainerPath, type RetainerPath, type RetainerStep } from './retainer-path.js';
export { heapSnapshotTable, retainedObjectsTable, heapTablesMarkdown, snapshotLabels, formatBytes, type HeapSnapshotRow } from './heap-tables.js';
export { summaryText, diffText } from './heap-text.js';
export { importSamplingHeapProfile, looksLikeSamplingHeapProfile, type SamplingHeapProfile } from './sampling-heap-profile.js';
