import { relative } from 'node:path';
import { compareRuns, type ComparisonRow } from '../gate/compare/compare-runs.js';
import { contentionDifference } from '../gate/compare/contention.js';
import { endpointView } from '../gate/compare/endpoint-view.js';
import { comparisonMarkdown, fmtChange, fmtP } from '../report/comparison.js';
import type { Iteration } from '../report/iteration-log.js';
import { fmtMs, mdEscape, mdTable } from '../report/markdown.js';
import { phaseSummary, phaseSummaryMarkdown } from '../report/phase-summary.js';
import { findingSubject, resolvedFindings } from '../report/resolved-findings.js';

const VERDICT_METRICS = ['p50_latency_ms', 'p95_latency_ms', 'throughput_rps'] as const;

function verdictCell(rows: readonly ComparisonRow[]): string {
  return VERDICT_METRICS.map((name) => {
    const r = rows.find((x) => x.name === name);
    if (!r) return '';
    return `${r.label}: **${r.verdict}** (${fmtChange(r.changePct)}, p ${fmtP(r.pValue)})`;
  })
    .filter(Boolean)
    .join('<br>');
}

/**
 * The verdict on the one endpoint a fix is for, from that endpoint's own one-second intervals (the overall
 * verdict mixes all endpoints); without per-endpoint intervals, its p95 before → after.
 */
function endpointLine(before: Iteration['record'], after: Iteration['record'], endpoint?: string): string {
  if (!endpoint) return '';
  const b = endpointView(before, endpoint);
  const a = endpointView(after, endpoint);
  const row = b && a ? compareRuns(b, a, { metrics: ['p95_latency_ms'] })[0] : undefined;
  if (row && row.before !== null && row.after !== null)
    return `<br>${mdEscape(endpoint)} p95: **${row.verdict}** (${fmtMs(row.before)} → ${fmtMs(row.after)}, ${fmtChange(row.changePct)}, p ${fmtP(row.pValue)})`;
  const eb = before.endpoints.find((e) => e.name === endpoint);
  const ea = after.endpoints.find((e) => e.name === endpoint);
  if (!eb || !ea || eb.count === 0 || ea.count === 0) return '';
  return `<br>${mdEscape(endpoint)} p95: ${fmtMs(eb.p95)} → ${fmtMs(ea.p95)} (${fmtChange(((ea.p95 - eb.p95) / eb.p95) * 100)})`;
}

/**
 * A memory fix is judged on the heap as well. Best evidence: the growth from the first to the last heap snapshot
 * (each taken after a full GC, so it is the live heap); else the heap trend of the runs. What the snapshots
 * named as growing shows in "Findings gone".
 */
function memoryLine(before: Iteration['record'], after: Iteration['record']): string {
  const mb = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} MB`;
  const growth = (r: Iteration['record']) => {
    const s = r.heap?.snapshots ?? [];
    return s.length >= 2 ? (s[s.length - 1].totalSize - s[0].totalSize) / 2 ** 20 : null;
  };
  const gb = growth(before);
  const ga = growth(after);
  if (gb !== null && ga !== null) return `<br>live heap across the heap snapshots: ${mb(gb)} → ${mb(ga)}`;
  const slope = (r: Iteration['record']) => r.metrics.memory?.heapUsedSlopeMbPerMin;
  const b = slope(before);
  const a = slope(after);
  if (b == null || a == null) return '';
  return `<br>heap trend: ${mb(b)}/min → ${mb(a)}/min`;
}

/** Why the verdicts may be unknown: the host's other processes used a different share of the CPU. */
function contentionLine(before: Iteration['record'], after: Iteration['record']): string {
  const d = contentionDifference([before], [after]);
  return d ? `<br>⚠ host busier ${d.after > d.before ? 'after' : 'before'}: other processes ${d.before} % → ${d.after} % of a core` : '';
}

/** The p95 change, with a note when the verdict does not back it (noise or contention). */
function improvementCell(b: number, a: number, rows: readonly ComparisonRow[]): string {
  if (!(b > 0)) return '–';
  const pct = `${Math.round((100 * (b - a)) / b)}%`;
  const verdict = rows.find((r) => r.name === 'p95_latency_ms')?.verdict;
  return verdict === 'improved' || verdict === 'regressed' ? pct : `${pct} (${verdict ?? 'unknown'})`;
}

/**
 * `summary.md` of `perfloop demo`: the iteration log with each fix's statistical verdict against the run
 * before it, the before/after comparison of the baseline and the final run, the Phase 15 approval-gate
 * summary, and where each report is.
 */
export function demoSummaryMarkdown(
  iterations: readonly (Iteration & { dir: string; component?: string; endpoint?: string; evidence?: 'memory' })[],
): string {
  const out: string[] = ['# perfloop demo: optimization loop on the demo service', ''];
  if (iterations.length === 0) return `${out.join('\n')}No iteration ran.\n`;
  const first = iterations[0].record;
  const last = iterations[iterations.length - 1].record;

  const rows: string[][] = [];
  for (let i = 1; i < iterations.length; i++) {
    const before = iterations[i - 1].record;
    const after = iterations[i].record;
    const cmp = compareRuns(before, after);
    const b = before.metrics.http_req_duration.p95;
    const a = after.metrics.http_req_duration.p95;
    rows.push([
      String(i),
      mdEscape(iterations[i].bottleneck),
      mdEscape(iterations[i].change),
      fmtMs(b),
      fmtMs(a),
      improvementCell(b, a, cmp),
      verdictCell(cmp) +
        endpointLine(before, after, iterations[i].endpoint) +
        (iterations[i].evidence === 'memory' ? memoryLine(before, after) : '') +
        contentionLine(before, after),
      resolvedFindings(before, after)
        .map((f) => {
          const subject = findingSubject(f);
          return `\`${f.rule}\`${subject ? ` (${mdEscape(subject)})` : ''}`;
        })
        .join(' ') || '–',
    ]);
  }
  out.push('### Optimization Iteration', '', '**Iteration Log** (each run against the one before it):', '');
  out.push(
    mdTable(
      ['#', 'Bottleneck', 'Change', 'Before (p95)', 'After (p95)', 'Improvement', 'Verdict', 'Findings gone'],
      rows,
    ),
    '',
  );
  out.push(
    '_Verdicts: per-second intervals as samples, Mann-Whitney U and Kolmogorov–Smirnov (smaller p, doubled), bootstrap 95 % CI, minimum effect 5 %; `unknown` means the evidence does not decide — run again or longer._',
    '',
  );
  out.push(
    '**Before vs After** (baseline → every fix applied):',
    '',
    comparisonMarkdown(compareRuns(first, last)),
    '',
  );

  const components = Object.fromEntries(
    iterations.filter((it) => it.component).map((it) => [it.record.run.label, it.component!]),
  );
  out.push(
    phaseSummaryMarkdown(
      phaseSummary({ runs: iterations.map((it) => it.record), gateConfigFiles: [], components }),
    ),
    '',
  );

  out.push('**Runs**:', '');
  const base = iterations[0].dir.replace(/\/[^/]+$/, '');
  for (const it of iterations) {
    const r = it.record;
    const rel = encodeURI(relative(base, it.dir));
    out.push(
      `- \`${r.run.id}\` ${mdEscape(r.run.label)}: [report](${rel}/report.md) · [charts](${rel}/report.html) · [flame graph](${rel}/flame.html) · ${r.findings.length} findings`,
    );
  }
  out.push('');
  return out.join('\n');
}
