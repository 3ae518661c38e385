import type { GateResult } from '../gate/gate.js';
import type { RunSideSummary } from '../gate/compare/compare-runs.js';
import { fmtCi, fmtChange, fmtP, fmtValue, fmtVerdict } from './comparison.js';
import { fmtNum, mdCode, mdEscape, mdTable } from './markdown.js';

/**
 * The gate's Markdown: a PR comment and the GitHub Actions job summary. Verdict counts first, then the
 * regression table, then budgets, thresholds, alert levels, Apdex, flame graphs, and why it failed.
 */
export interface GateMarkdownOptions {
  /** Links for the flame graphs (relative to where the comment is read), when there are profiles. */
  flameLinks?: { baseline?: string; candidate?: string; diff?: string };
  /** The profiles the diff compares and where it was written (absolute paths). */
  flameDiff?: { baseline: string; candidate: string; html: string };
  /** Top function changes between the two profiles, for the flame graph section. */
  flameChanges?: {
    name: string;
    beforeSelfPct: number;
    afterSelfPct: number;
    deltaSelfPct: number;
    deltaTotalPct: number;
  }[];
}

const side = (s: RunSideSummary) => {
  const r = s.runs[s.runs.length - 1];
  const sha = r?.gitSha ? ` at \`${r.gitSha.slice(0, 10)}\`` : '';
  return `${mdEscape(s.source)}${sha}${s.runs.length > 1 ? ` (×${s.runs.length} runs)` : ''}`;
};

const fmtLimit = (metric: string, x: number | null) =>
  x === null
    ? '–'
    : metric === 'error_rate'
      ? `${fmtNum(x * 100, 2)}%`
      : metric.endsWith('_ms')
        ? `${fmtNum(x, 1)} ms`
        : metric.endsWith('_rps')
          ? `${fmtNum(x, 1)} req/s`
          : metric.endsWith('_mb')
            ? `${fmtNum(x, 0)} MB`
            : metric.endsWith('_pct')
              ? `${fmtNum(x, 1)}%`
              : `${fmtNum(x, 3)}`;

const status = (pass: boolean) => (pass ? '✅ pass' : '❌ fail');
const LEVEL = {
  ok: '✅ ok',
  warning: '⚠️ warning',
  critical: '🔴 critical',
  unknown: '– not measured',
} as const;

export function gateMarkdown(g: GateResult, o: GateMarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`## ${g.pass ? '✅' : '❌'} perfloop gate: ${g.pass ? 'pass' : 'fail'}`, '');
  const c = g.counts;
  out.push(
    `**Verdict: ${g.verdict}** — ${c.improved} improved · ${c.regressed} regressed · ${c.same} same · ${c.unknown} unknown`,
    '',
  );
  out.push(
    `Candidate: ${side(g.candidate)}  `,
    `Baseline: ${g.baseline ? side(g.baseline) : '_none found: budgets and thresholds only_'}`,
    '',
  );
  if (g.failures.length > 0) {
    out.push('**Why it failed**:', '');
    for (const f of g.failures) out.push(`- ${mdEscape(f)}`);
    out.push('');
  }
  if (g.regressions.length > 0) {
    const conf = Math.round(g.options.confidence * 100);
    out.push('### Regression test (baseline → candidate)', '');
    out.push(
      mdTable(
        ['Metric', 'Before', 'After', 'Change', `${conf}% CI`, 'p', 'Verdict', 'Gated'],
        g.regressions.map((r) => [
          mdEscape(r.label),
          fmtValue(r.before, r.unit),
          fmtValue(r.after, r.unit),
          fmtChange(r.changePct),
          fmtCi(r.ci),
          fmtP(r.pValue),
          fmtVerdict(r),
          r.gated ? 'yes' : 'no',
        ]),
      ),
      '',
    );
    const unit = g.regressions[0].sampleUnit === 'run' ? 'runs' : 'one-second intervals';
    out.push(
      `<sub>Units: ${unit}. A change is called when significant (Mann-Whitney U / Kolmogorov-Smirnov, α ${g.options.alpha}) and beyond the minimum effect of ${g.options.minEffectPct}%; "unknown" does not fail the gate.</sub>`,
      '',
    );
  }
  if (g.budgets.length > 0) {
    out.push(
      '### Budgets',
      '',
      mdTable(
        ['Scope', 'Metric', 'Limit', 'Actual', 'Status'],
        g.budgets.map((b) => [
          b.operation ? mdEscape(b.operation) : 'run',
          b.metric,
          `${b.kind} ${fmtLimit(b.metric, b.limit)}`,
          fmtLimit(b.metric, b.actual),
          status(b.pass) + (b.note ? ` (${mdEscape(b.note)})` : ''),
        ]),
      ),
      '',
    );
  }
  if (g.thresholds.length > 0) {
    out.push(
      '### Thresholds (k6)',
      '',
      mdTable(
        ['Metric', 'Threshold', 'Actual', 'Status'],
        g.thresholds.map((t) => [
          mdEscape(t.metric),
          mdCode(t.expression),
          t.actual === null ? '–' : `${+t.actual.toPrecision(4)}`,
          status(t.pass) + (t.note ? ` (${mdEscape(t.note)})` : ''),
        ]),
      ),
      '',
    );
  }
  if (g.alerts.length > 0) {
    out.push(
      '### Alert levels',
      '',
      mdTable(
        ['Metric', 'Value', 'Warning', 'Critical', 'Level', 'Action'],
        g.alerts.map((a) => {
          const f = (x: number | null) =>
            a.metric === 'error_rate'
              ? fmtLimit('error_rate', x)
              : a.metric.endsWith('_ms')
                ? fmtLimit(a.metric, x)
                : x === null
                  ? '–'
                  : `${fmtNum(x, 1)}%`;
          return [
            a.metric + (a.basis ? ` <sub>${mdEscape(a.basis)}</sub>` : ''),
            f(a.value),
            `>${f(a.warning)}`,
            `>${f(a.critical)}`,
            LEVEL[a.level],
            a.action,
          ];
        }),
      ),
      '',
    );
  }
  const ap = (s: RunSideSummary | null) => (s?.apdex ? `${s.apdex.score} (${s.apdex.rating})` : '–');
  out.push(
    `**Apdex** (T = ${g.options.apdexTMs} ms): ${g.baseline ? `${ap(g.baseline)} → ` : ''}${ap(g.candidate)}`,
    '',
  );
  const links = o.flameLinks ?? {};
  if (links.baseline || links.candidate || links.diff) {
    const parts = [
      links.baseline && `[baseline](${encodeURI(links.baseline)})`,
      links.candidate && `[candidate](${encodeURI(links.candidate)})`,
      links.diff && `[diff (red = grew, blue = shrank)](${encodeURI(links.diff)})`,
    ].filter(Boolean);
    out.push(`### Flame graphs`, '', parts.join(' · '), '');
    // Only changes a reader can see in the picture (half a percentage point of CPU or more).
    const changes = (o.flameChanges ?? [])
      .filter((ch) => Math.max(Math.abs(ch.deltaSelfPct), Math.abs(ch.deltaTotalPct)) >= 0.5)
      .slice(0, 5);
    const pp = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${fmtNum(Math.abs(x), 1)} pp`;
    if (changes.length > 0) {
      out.push(
        mdTable(
          ['Function', 'Self before', 'Self after', 'Δ self', 'Δ total'],
          changes.map((ch) => [
            mdCode(ch.name),
            `${fmtNum(ch.beforeSelfPct, 1)}%`,
            `${fmtNum(ch.afterSelfPct, 1)}%`,
            pp(ch.deltaSelfPct),
            pp(ch.deltaTotalPct),
          ]),
        ),
        '',
      );
    }
  }
  if (g.warnings.length > 0) {
    out.push('### Warnings', '');
    for (const w of g.warnings) out.push(`- ${mdEscape(w)}`);
    out.push('');
  }
  return out.join('\n');
}
