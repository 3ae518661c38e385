import type { GateResult } from '../gate/gate.js';
import { fmtCi, fmtChange, fmtP, fmtValue, fmtVerdict, textTable } from './comparison.js';

/** The gate's result for a terminal. */
export function gateText(g: GateResult): string {
  const out: string[] = [];
  const c = g.counts;
  out.push(
    `perfloop gate: ${g.pass ? 'PASS' : 'FAIL'} · verdict ${g.verdict} (${c.improved} improved, ${c.regressed} regressed, ${c.same} same, ${c.unknown} unknown)`,
  );
  out.push(
    `candidate: ${g.candidate.source}${g.candidate.runs.length > 1 ? ` ×${g.candidate.runs.length}` : ''}`,
  );
  out.push(
    `baseline:  ${g.baseline ? `${g.baseline.source}${g.baseline.runs.length > 1 ? ` ×${g.baseline.runs.length}` : ''}` : 'none'}`,
  );
  if (g.regressions.length > 0) {
    out.push(
      '',
      textTable(
        ['metric', 'before', 'after', 'change', 'CI', 'p', 'verdict', 'gated'],
        g.regressions.map((r) => [
          r.label,
          fmtValue(r.before, r.unit),
          fmtValue(r.after, r.unit),
          fmtChange(r.changePct),
          fmtCi(r.ci),
          fmtP(r.pValue),
          fmtVerdict(r, false),
          r.gated ? 'yes' : 'no',
        ]),
      ),
    );
  }
  if (g.budgets.length > 0)
    out.push('', `budgets: ${g.budgets.filter((b) => b.pass).length}/${g.budgets.length} pass`);
  if (g.thresholds.length > 0)
    out.push(`thresholds: ${g.thresholds.filter((t) => t.pass).length}/${g.thresholds.length} pass`);
  const raised = g.alerts.filter((a) => a.level === 'warning' || a.level === 'critical');
  out.push(
    `alerts: ${raised.length === 0 ? 'none raised' : raised.map((a) => `${a.metric} ${a.level} (${a.value} > ${a.level === 'critical' ? a.critical : a.warning})`).join(', ')}`,
  );
  const ap = (s: GateResult['candidate'] | null) => (s?.apdex ? `${s.apdex.score} (${s.apdex.rating})` : '–');
  out.push(`Apdex T=${g.options.apdexTMs} ms: ${g.baseline ? `${ap(g.baseline)} → ` : ''}${ap(g.candidate)}`);
  if (g.failures.length > 0) out.push('', 'failed:', ...g.failures.map((f) => `  - ${f}`));
  return `${out.join('\n')}\n`;
}
