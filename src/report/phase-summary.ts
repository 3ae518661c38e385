import { rankFindings } from '../core/finding.js';
import type { RunRecord } from '../core/run.js';
import { alertLevels } from '../gate/alerts.js';
import { apdexOf, DEFAULT_APDEX_T_MS, type Apdex } from '../gate/apdex.js';
import { budgetTargets, type Budget } from '../gate/budget.js';
import { checkAllBudgets } from '../gate/budget-check.js';
import { compareRuns, type ComparisonRow, type CompareOptions } from '../gate/compare/compare-runs.js';
import { checkThresholds } from '../gate/thresholds.js';
import { fmtCi, fmtValue, fmtVerdict, signed } from './comparison.js';
import {
  currentVsTarget,
  currentVsTargetTable,
  fmtGain,
  headlineOfAll,
  loggedIterations,
  loggedIterationTable,
  type LoggedIteration,
  type TargetRow,
} from './iteration-log.js';
import { check, fmtPct, mdCode, mdEscape, mdTable } from './markdown.js';
import { findingComponent, opportunities, type Opportunity } from './opportunities.js';

/**
 * The method's Phase 15 Summary (the approval gate) from stored runs: before vs after with confidence
 * intervals, each optimization with its measured impact and verdict, the flame graph story (what the top
 * consumer was and which change resolved it), the verification checklist ticked from evidence, and the
 * remaining opportunities from the latest run's open findings.
 */
export interface PhaseSummaryInput {
  /** The loop's runs, oldest first (repeats are pooled). */
  runs: readonly RunRecord[];
  budget?: Budget;
  /** CI files that run `perfloop gate` (evidence for "budgets enforced in CI"). */
  gateConfigFiles: readonly string[];
  /** Iteration label → component it changed (e.g. the demo's catalogue); else taken from the finding it fixed. */
  components?: Readonly<Record<string, string>>;
  repoUrl?: string | null;
  compare?: CompareOptions;
}

export interface ChecklistItem {
  item: string;
  checked: boolean;
  evidence: string;
}

export interface PhaseSummary {
  schema: 'perfloop/summary@1';
  iterations: LoggedIteration[];
  beforeAfter: ComparisonRow[];
  apdex: { tMs: number; before: Apdex | null; after: Apdex | null };
  optimizations: {
    label: string;
    component: string;
    improvementPct: number | null;
    ci: [number, number] | null;
    verdict: string | null;
    gitSha: string | null;
  }[];
  flame: {
    before: { topConsumer: string; pct: number; bottleneck: string } | null;
    after: { topConsumer: string; pct: number; resolved: string } | null;
  };
  targets: TargetRow[];
  checklist: ChecklistItem[];
  opportunities: Opportunity[];
  targetsMet: boolean | null;
}

function flameStory(iterations: readonly LoggedIteration[]): PhaseSummary['flame'] {
  const first = iterations[0].runs.at(-1)!;
  const last = iterations[iterations.length - 1].runs.at(-1)!;
  const t0 = first.profile?.top[0];
  const t1 = last.profile?.top[0];
  const before = t0
    ? {
        topConsumer: t0.name,
        pct: t0.selfPct,
        bottleneck: rankFindings(first.findings)[0]?.title ?? 'no finding above the thresholds',
      }
    : null;
  if (!t1) return { before, after: null };
  let resolved = 'no profile before the changes to compare with';
  if (t0) {
    const share = (r: RunRecord) => r.profile?.top.find((t) => t.name === t0.name)?.selfPct ?? 0;
    // The change after which the old top consumer's share fell the most.
    let best: { label: string; drop: number; from: number; to: number } | null = null;
    for (let i = 1; i < iterations.length; i++) {
      const a = iterations[i - 1].runs.at(-1)!;
      const b = iterations[i].runs.at(-1)!;
      if (!a.profile || !b.profile) continue;
      const drop = share(a) - share(b);
      if (!best || drop > best.drop)
        best = { label: iterations[i].label, drop, from: share(a), to: share(b) };
    }
    const most =
      best && best.drop > 0
        ? { label: best.label, span: `${fmtPct(best.from)} → ${fmtPct(best.to)} of CPU` }
        : null;
    if (t1.name !== t0.name)
      resolved = most
        ? `${most.label} (${t0.name} ${most.span})`
        : `${t0.name} fell to ${fmtPct(share(last))} over the iterations`;
    else if (t0.selfPct - t1.selfPct >= 5)
      resolved = `reduced, still the top consumer: ${t0.name} ${fmtPct(t0.selfPct)} → ${fmtPct(t1.selfPct)} of CPU${most ? `, most by ${most.label} (${most.span})` : ''}`;
    else resolved = `not resolved: ${t0.name} is still the top consumer`;
  }
  return { before, after: { topConsumer: t1.name, pct: t1.selfPct, resolved } };
}

function checklist(
  last: RunRecord,
  targets: readonly TargetRow[],
  input: PhaseSummaryInput,
): ChecklistItem[] {
  const withTarget = targets.filter((t) => t.met !== null);
  const missed = withTarget.filter((t) => !t.met);
  const b = input.budget;
  const budgets = b ? checkAllBudgets(last, b, apdexOf(last, b.apdex?.tMs)?.score ?? null) : [];
  const thresholds = b?.thresholds ? checkThresholds(last, b.thresholds) : [];
  const maxErrors = b?.limits.error_rate?.max ?? 0.01;
  const interrupted = last.warnings.some((w) => /interrupted/i.test(w));
  const failedChecks = [
    ...budgets.filter((x) => !x.pass).map((x) => x.metric),
    ...thresholds.filter((x) => !x.pass).map((x) => `${x.metric} ${x.expression}`),
  ];
  const loadOk = !interrupted && last.metrics.http_req_failed.rate <= maxErrors && failedChecks.length === 0;
  const failed = last.metrics.http_req_failed.count;
  const alertsSet = !!b?.alerts && Object.keys(b.alerts).length > 0;
  const raised = alertLevels(last, b).filter((a) => a.level === 'warning' || a.level === 'critical');
  return [
    {
      item: 'Performance targets met',
      checked: withTarget.length > 0 && missed.length === 0,
      evidence:
        missed.length > 0
          ? `missed: ${missed.map((t) => t.metric).join(', ')}`
          : `${withTarget.map((t) => t.metric).join(', ')} within target`,
    },
    {
      item: 'Load tests pass',
      checked: loadOk,
      evidence: interrupted
        ? 'the last run was interrupted'
        : `error rate ${fmtPct(last.metrics.http_req_failed.rate * 100, 2)} (limit ${fmtPct(maxErrors * 100, 2)})` +
          (budgets.length + thresholds.length > 0
            ? `; ${budgets.length + thresholds.length - failedChecks.length}/${budgets.length + thresholds.length} budgets and thresholds pass`
            : '') +
          (failedChecks.length ? ` (failed: ${failedChecks.join(', ')})` : ''),
    },
    {
      item: 'No regressions in functionality',
      checked: failed === 0,
      evidence:
        failed === 0
          ? `all ${last.metrics.http_reqs.count} requests of the last run succeeded`
          : `${failed} of ${last.metrics.http_reqs.count} requests failed in the last run`,
    },
    {
      item: 'Monitoring in place',
      checked: alertsSet,
      evidence: alertsSet
        ? `alert levels configured in ${b!.source}${raised.length ? `; raised now: ${raised.map((a) => `${a.metric} ${a.level}`).join(', ')}` : '; none raised by the last run'}`
        : 'no alert levels configured (add "alerts" to performance-budget.json)',
    },
    {
      item: 'Performance budgets enforced in CI',
      checked: input.gateConfigFiles.length > 0,
      evidence:
        input.gateConfigFiles.length > 0
          ? `perfloop gate runs in ${input.gateConfigFiles.join(', ')}`
          : 'no CI job runs perfloop gate (perfloop ci init writes one)',
    },
  ];
}

const scoresRequests = (run: RunRecord) => (run.kind ?? 'service') === 'service';

export function phaseSummary(input: PhaseSummaryInput): PhaseSummary {
  if (input.runs.length === 0) throw new Error('phaseSummary: no runs');
  const iterations = loggedIterations(input.runs, { compare: input.compare, repoUrl: input.repoUrl });
  const first = iterations[0];
  const lastIt = iterations[iterations.length - 1];
  const last = lastIt.runs.at(-1)!;
  const apdexT = input.budget?.apdex?.tMs ?? DEFAULT_APDEX_T_MS;
  const beforeAfter = iterations.length > 1 ? compareRuns(first.runs, lastIt.runs, input.compare) : [];
  const optimizations = iterations.slice(1).map((it, k) => {
    const fixed = rankFindings(iterations[k].runs.at(-1)!.findings)[0];
    return {
      label: it.label,
      component: input.components?.[it.label] ?? (fixed ? findingComponent(fixed) : null) ?? '–',
      improvementPct: it.improvementPct,
      ci: it.ci,
      verdict: it.verdict,
      gitSha: it.gitSha,
    };
  });
  const targets = currentVsTarget(
    first.runs.at(-1)!,
    last,
    input.budget ? budgetTargets(input.budget) : last.budget,
    input.budget?.pages,
  );
  const withTarget = targets.filter((t) => t.met !== null);
  return {
    schema: 'perfloop/summary@1',
    iterations,
    beforeAfter,
    // Apdex scores a service's requests; a page's (its assets and API calls) or a job's are not what users wait on.
    apdex: scoresRequests(last)
      ? { tMs: apdexT, before: apdexOf(first.runs, apdexT), after: apdexOf(lastIt.runs, apdexT) }
      : { tMs: apdexT, before: null, after: null },
    optimizations,
    flame: flameStory(iterations),
    targets,
    checklist: checklist(last, targets, input),
    opportunities: opportunities(last.findings),
    targetsMet: withTarget.length === 0 ? null : withTarget.every((t) => t.met),
  };
}

const improvement = (r: ComparisonRow) =>
  r.changePct === null ? '–' : fmtGain(r.betterWhen === 'lower' ? -r.changePct : r.changePct);

export function phaseSummaryMarkdown(s: PhaseSummary): string {
  const out: string[] = ['## Phase 15 Summary: Performance Optimization', ''];
  out.push('### Optimization Results', '', '**Before vs After**:', '');
  if (s.beforeAfter.length === 0) out.push('_One iteration only: nothing to compare yet._', '');
  else {
    out.push(
      mdTable(
        ['Metric', 'Before', 'After', 'Improvement', '95% CI of the change', 'Verdict'],
        s.beforeAfter.map((r) => [
          mdEscape(r.label),
          fmtValue(r.before, r.unit),
          fmtValue(r.after, r.unit),
          improvement(r),
          fmtCi(r.ci),
          fmtVerdict(r),
        ]),
      ),
      '',
    );
  }
  const ap = (x: Apdex | null) => (x ? `${x.score} (${x.rating})` : '–');
  if (s.apdex.before || s.apdex.after)
    out.push(`**Apdex** (T = ${s.apdex.tMs} ms): ${ap(s.apdex.before)} → ${ap(s.apdex.after)}`, '');
  out.push('### Optimizations Applied', '');
  if (s.optimizations.length === 0) out.push('_None yet._', '');
  else {
    out.push(
      mdTable(
        ['Optimization', 'Component', `Impact (${headlineOfAll(s.iterations.slice(1))})`, 'Verdict'],
        s.optimizations.map((o) => [
          mdEscape(o.label || '(unlabelled)'),
          mdEscape(o.component),
          o.improvementPct === null
            ? '–'
            : // The words follow the verdict: a change the statistics do not back is not called worse or better.
              o.verdict && o.verdict !== 'improved' && o.verdict !== 'regressed'
              ? `${fmtGain(o.improvementPct, '')} (${o.verdict})`
              : Math.round(o.improvementPct) < 0
                ? `${fmtGain(o.improvementPct, '')} (worse)`
                : `${fmtGain(o.improvementPct)} improvement`,
          o.verdict
            ? `${o.verdict}${o.ci ? ` (CI ${signed(o.ci[0], 0)} … ${signed(o.ci[1], 0)}%)` : ''}`
            : '–',
        ]),
      ),
      '',
    );
    out.push('**Iteration Log**:', '', loggedIterationTable(s.iterations), '');
  }
  out.push('**Current vs Target**:', '', currentVsTargetTable(s.targets), '');
  out.push('### Flame Graph Summary', '', '**Before Optimization**:');
  if (s.flame.before)
    out.push(
      `- Top consumer: ${mdCode(s.flame.before.topConsumer)} at ${fmtPct(s.flame.before.pct)}`,
      `- Key bottleneck: ${mdEscape(s.flame.before.bottleneck)}`,
    );
  else out.push('- No CPU profile in the first run.');
  out.push('', '**After Optimization**:');
  if (s.flame.after)
    out.push(
      `- Top consumer: ${mdCode(s.flame.after.topConsumer)} at ${fmtPct(s.flame.after.pct)}`,
      `- Bottleneck resolved: ${mdEscape(s.flame.after.resolved)}`,
    );
  else out.push('- No CPU profile in the last run.');
  out.push('', '### Verification', '');
  for (const c of s.checklist) out.push(`- ${check(c.checked)} ${c.item} — ${mdEscape(c.evidence)}`);
  out.push('', '### Remaining Opportunities', '');
  if (s.opportunities.length === 0) out.push('No open finding above the thresholds in the latest run.');
  else
    out.push(
      mdTable(
        ['Opportunity', 'Potential Gain', 'Effort', 'Priority'],
        s.opportunities.map((o) => [
          `${mdEscape(o.title)} <sub>\`${o.rule}\`</sub>`,
          fmtPct(o.potentialGainPct, 0),
          o.effort,
          o.priority,
        ]),
      ),
    );
  out.push('', '---', '');
  const missed = s.targets.filter((t) => t.met === false).map((t) => t.metric);
  out.push(
    `**Performance targets achieved?** ${
      s.targetsMet === null
        ? 'No targets to judge against.'
        : s.targetsMet
          ? `Yes — ${s.targets
              .filter((t) => t.met)
              .map((t) => t.metric)
              .join(', ')} within target.`
          : `No — ${missed.join(', ')} not yet within target.`
    }`,
    '',
  );
  return out.join('\n');
}
