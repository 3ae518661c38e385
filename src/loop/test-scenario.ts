import type { Finding } from '../core/finding.js';
import type { RunMetrics, TestScenarioRow } from '../core/run.js';
import { formatDuration } from '../load/duration.js';
import type { LoadDefinition } from '../load/load-definition.js';
import type { LoadResult } from '../load/result.js';
import { loadShape } from './run-load.js';

/** Memory findings that mean "a leak" (a GC pause trend is a symptom, not a leak verdict). */
const LEAK_RULES = /^memory\.(?!gc-pause)/;

/**
 * The run's row of the method's Test Scenarios table: what load ran, and each success criterion judged from this
 * run's own evidence — the script's thresholds, a spike's recovery time (per-second intervals), and for an
 * endurance run the latency drift and the leak verdict of the memory analysis over the same window.
 */
export function testScenarioRow(
  def: LoadDefinition,
  load: LoadResult,
  evidence: { findings: readonly Finding[]; memory: RunMetrics['memory']; memoryEvidence: boolean },
): { row: TestScenarioRow; warnings: string[] } {
  const shape = loadShape(def);
  const warnings: string[] = [];
  const criteria: TestScenarioRow['criteria'] = load.thresholds.map((t) => ({
    name: `${t.def.metric.key}: ${t.def.expression.source}`,
    ok: t.ok,
    detail: `measured ${+t.value.toFixed(3)}`,
  }));
  const preset = load.extras.preset;
  criteria.push(...(preset?.criteria ?? []));
  if (preset?.name === 'endurance') {
    if (evidence.memoryEvidence) criteria.push(leakVerdict(evidence.findings, evidence.memory));
    else warnings.push('Endurance: no memory leak verdict — perfloop did not start the target, so it saw no memory of it.');
  }
  const row: TestScenarioRow = {
    scenario: def.preset?.name ?? (def.script ? (def.script.split('/').pop() ?? def.script) : executorName(shape.description)),
    vus: shape.vus,
    duration: shortDuration(shape.plannedS),
    criteria,
  };
  if (preset?.recoveryTimeS !== undefined) row.recoveryTimeS = preset.recoveryTimeS;
  if (preset?.latencyDriftPct !== undefined) row.latencyDriftPct = preset.latencyDriftPct;
  return { row, warnings };
}

function leakVerdict(findings: readonly Finding[], memory: RunMetrics['memory']): TestScenarioRow['criteria'][number] {
  const leaks = findings.filter((f) => f.area === 'memory' && LEAK_RULES.test(f.rule));
  const slope = memory?.heapUsedSlopeMbPerMin;
  return {
    name: 'no memory leak',
    ok: leaks.length === 0,
    detail:
      leaks.length > 0
        ? leaks.map((f) => f.title).join('; ')
        : `no growth finding${slope === null || slope === undefined ? '' : ` (heap trend ${+slope.toFixed(2)} MB/min)`}`,
  };
}

const executorName = (description: string) => description.split(' ')[0] ?? 'load';

/** `180` → `3m`, `3600` → `1h`, `36` → `36s`: as the method's table writes durations. */
function shortDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  return formatDuration(seconds * 1000);
}
