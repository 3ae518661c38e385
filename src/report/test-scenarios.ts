import type { TestScenarioRow } from '../core/run.js';
import { mdEscape, mdTable } from './markdown.js';

const verdict = (ok: boolean) => (ok ? '✅' : '❌');

/**
 * The method's Test Scenarios table (Scenario, VUs, Duration, Success Criteria) for one run, each criterion
 * with its verdict and the evidence it was judged on (a spike's recovery time, an endurance run's drift and leak
 * verdict, the script's thresholds).
 */
export function testScenariosMarkdown(row: TestScenarioRow): string[] {
  const criteria = row.criteria.length === 0 ? '– (none set)' : row.criteria.map((c) => `${verdict(c.ok)} ${mdEscape(c.name)}`).join('<br>');
  const out = ['**Test Scenarios**:', '', mdTable(['Scenario', 'VUs', 'Duration', 'Success Criteria'], [[mdEscape(row.scenario), mdEscape(row.vus), row.duration, criteria]]), ''];
  for (const c of row.criteria) out.push(`- ${verdict(c.ok)} ${mdEscape(c.name)}: ${mdEscape(c.detail)}`);
  if (row.recoveryTimeS !== undefined)
    out.push(`- Recovery time after the spike: ${row.recoveryTimeS === null ? 'not recovered within the run' : `${row.recoveryTimeS} s`}`);
  if (row.latencyDriftPct !== undefined && row.latencyDriftPct !== null)
    out.push(`- Latency drift (p95, first → last tenth): ${row.latencyDriftPct > 0 ? '+' : ''}${row.latencyDriftPct} %`);
  if (row.criteria.length > 0 || row.recoveryTimeS !== undefined) out.push('');
  return out;
}
