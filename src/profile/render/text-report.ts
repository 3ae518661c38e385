import type { ProfileAnalysis } from '../analyse/index.js';
import type { ProfileDiff } from '../diff/diff.js';

/**
 * The terminal view of an analysis: the method's Flame Graph Insights as text — top time consumers (function,
 * time %, category, action), categories, unexpected findings and optimization priorities.
 */
const UNIT_LABEL: Record<string, (w: number) => string> = {
  us: (w) => (w >= 1e6 ? `${(w / 1e6).toFixed(2)} s` : `${(w / 1e3).toFixed(1)} ms`),
  ns: (w) => (w >= 1e9 ? `${(w / 1e9).toFixed(2)} s` : `${(w / 1e6).toFixed(1)} ms`),
  ms: (w) => (w >= 1e3 ? `${(w / 1e3).toFixed(2)} s` : `${w.toFixed(1)} ms`),
  bytes: (w) => (w >= 1048576 ? `${(w / 1048576).toFixed(1)} MB` : `${(w / 1024).toFixed(1)} KB`),
};

export function formatWeight(w: number, unit: string): string {
  return UNIT_LABEL[unit]?.(w) ?? `${Math.round(w).toLocaleString('en-US')} ${unit}`;
}

function table(header: string[], rows: string[][], align: ('l' | 'r')[]): string[] {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(width[i]) : c.padEnd(width[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const shortFile = (file: string | null, line: number | null) =>
  file ? `${file.split('/').slice(-2).join('/')}${line ? `:${line}` : ''}` : '';

export function analysisText(a: ProfileAnalysis, title: string): string {
  const out: string[] = [];
  out.push(
    `${title}: ${formatWeight(a.activeWeight, a.unit)} of work in ${a.samples.toLocaleString('en-US')} samples${a.totalWeight > a.activeWeight ? ` (${formatWeight(a.totalWeight - a.activeWeight, a.unit)} idle, not counted)` : ''}`,
    '',
  );
  out.push('Top time consumers');
  out.push(
    ...table(
      ['#', 'Self %', 'Total %', 'Function', 'Category', 'Location', 'Action'],
      a.top.map((t, i) => [
        String(i + 1),
        `${t.selfPct.toFixed(1)}%`,
        `${t.totalPct.toFixed(1)}%`,
        clip(t.name, 48),
        t.category,
        clip(shortFile(t.file, t.line), 40),
        clip(t.action, 70),
      ]),
      ['r', 'r', 'r', 'l', 'l', 'l', 'l'],
    ).map((l) => `  ${l}`),
  );
  out.push('', `Categories: ${a.categories.map((c) => `${c.name} ${c.pct.toFixed(1)}%`).join(' · ')}`);
  out.push('', a.findings.length ? 'Findings' : 'Findings: none — no function or category stands out');
  for (const f of a.findings) out.push(`  [${f.severity}] ${f.title}`, `      ${f.recommendation}`);
  if (a.priorities.length) {
    out.push('', 'Optimization priorities (by estimated time saved)');
    for (const p of a.priorities)
      out.push(`  ${p.rank}. ${p.target} — about ${p.estimatedPct.toFixed(1)}% — ${p.action}`);
  }
  return `${out.join('\n')}\n`;
}

export function diffText(d: ProfileDiff): string {
  const out = [
    `Largest changes, ${d.before.name} → ${d.after.name} (share of each profile's non-idle time; + grew, − shrank)`,
  ];
  if (d.changes.length === 0) out.push('  no change');
  else
    out.push(
      ...table(
        ['Function', 'Self before', 'Self after', 'Δ self', 'Total before', 'Total after', 'Δ total', ''],
        d.changes.map((c) => [
          clip(c.name, 48),
          `${c.beforeSelfPct.toFixed(1)}%`,
          `${c.afterSelfPct.toFixed(1)}%`,
          `${c.deltaSelfPct > 0 ? '+' : ''}${c.deltaSelfPct.toFixed(1)}`,
          `${c.beforeTotalPct.toFixed(1)}%`,
          `${c.afterTotalPct.toFixed(1)}%`,
          `${c.deltaTotalPct > 0 ? '+' : ''}${c.deltaTotalPct.toFixed(1)}`,
          c.status,
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ).map((l) => `  ${l}`),
    );
  if (d.categories?.length) {
    const sign = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)}`;
    out.push(
      '',
      `Categories: ${d.categories
        .filter((c) => Math.abs(c.deltaPct) >= 0.1)
        .map((c) => `${c.name} ${c.beforePct.toFixed(1)}% → ${c.afterPct.toFixed(1)}% (${sign(c.deltaPct)})`)
        .join(' · ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}
