import type { ComparisonRow } from '../gate/compare/compare-runs.js';
import { fmtMs, fmtNum, mdEscape, mdTable } from './markdown.js';

/** The before/after comparison as a Markdown table (PR comments, summaries) and as a terminal table. */

export function fmtValue(x: number | null, unit: ComparisonRow['unit']): string {
  if (x === null || !Number.isFinite(x)) return '–';
  switch (unit) {
    case 'ms':
      return fmtMs(x);
    case 'req/s':
      return `${fmtNum(x, x >= 100 ? 0 : 1)} req/s`;
    case 'ratio':
      return `${fmtNum(x * 100, 2)}%`;
    case 'MB':
      return `${fmtNum(x, 0)} MB`;
    case '%':
      return `${fmtNum(x, 0)}%`;
    case 'score':
      return fmtNum(x, 3);
  }
}

export const signed = (x: number, digits = 1) =>
  `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(digits)}`;
export const fmtChange = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : `${signed(x)}%`);
export const fmtCi = (ci: [number, number] | null) =>
  ci === null ? '–' : `${signed(ci[0])} … ${signed(ci[1])}%`;
export const fmtP = (p: number | null) => (p === null ? '–' : p < 0.001 ? '<0.001' : p.toPrecision(2));

const ICON: Record<ComparisonRow['verdict'], string> = {
  improved: '✅',
  regressed: '❌',
  same: '➖',
  unknown: '❔',
};

export function fmtVerdict(
  r: Pick<ComparisonRow, 'verdict' | 'moreRuns'> & Partial<Pick<ComparisonRow, 'before' | 'after' | 'note'>>,
  icons = true,
): string {
  if (r.before === null || r.after === null) return '– not measured';
  // Made unknown by host contention (contention.ts): the reason is the host, not the number of runs.
  const byHost = r.verdict === 'unknown' && (r.note ?? '').includes('by the statistics, but');
  const more =
    r.verdict === 'unknown'
      ? byHost
        ? ` (${/saturated/.test(r.note!) ? 'host saturated' : 'host contention differed'} — see the warning)`
        : r.moreRuns === null
        ? ' (more runs unlikely to decide)'
        : ` (≈${r.moreRuns} more run${r.moreRuns === 1 ? '' : 's'} per side)`
      : '';
  return `${icons ? `${ICON[r.verdict]} ` : ''}${r.verdict}${more}`;
}

export function comparisonMarkdown(
  rows: readonly ComparisonRow[],
  options: { confidence?: number } = {},
): string {
  const conf = Math.round((options.confidence ?? 0.95) * 100);
  return mdTable(
    ['Metric', 'Before', 'After', 'Change', `${conf}% CI`, 'p', 'Verdict'],
    rows.map((r) => [
      mdEscape(r.label),
      fmtValue(r.before, r.unit),
      fmtValue(r.after, r.unit),
      fmtChange(r.changePct),
      fmtCi(r.ci),
      fmtP(r.pValue),
      fmtVerdict(r),
    ]),
  );
}

/** Plain aligned columns for a terminal. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}

export function comparisonText(
  rows: readonly ComparisonRow[],
  options: { confidence?: number } = {},
): string {
  const conf = Math.round((options.confidence ?? 0.95) * 100);
  return textTable(
    ['metric', 'before', 'after', 'change', `${conf}% CI`, 'p', 'verdict'],
    rows.map((r) => [
      r.label,
      fmtValue(r.before, r.unit),
      fmtValue(r.after, r.unit),
      fmtChange(r.changePct),
      fmtCi(r.ci),
      fmtP(r.pValue),
      fmtVerdict(r, false),
    ]),
  );
}
