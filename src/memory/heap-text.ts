import type { HeapDiff } from './heap-diff.js';
import type { HeapSummary } from './heap-summary.js';
import { formatBytes, heapSnapshotTable, snapshotLabels } from './heap-tables.js';

/** Plain-text tables for the terminal: columns padded, long names cut. */
function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function summaryText(s: HeapSummary, top = 25): string {
  const lines = [`${s.file}: ${int(s.nodes)} nodes, ${int(s.edges)} edges, ${formatBytes(s.totalSize)} in the heap`, ''];
  lines.push(
    ...table(
      ['Constructor', 'Count', 'Self size', 'Retained size'],
      s.byConstructor.slice(0, top).map((c) => [cut(c.name, 60), int(c.count), formatBytes(c.selfSize), formatBytes(c.retainedSize)]),
      new Set([1, 2, 3]),
    ),
  );
  if (s.byConstructor.length > top) lines.push(`… ${s.byConstructor.length - top} more classes (--json lists all)`);
  if (s.largestRetainers.length > 0) {
    lines.push('', 'Largest retainers');
    for (const r of s.largestRetainers.slice(0, 10)) lines.push(`  ${formatBytes(r.retainedSize).padStart(9)}  ${r.name} @${r.id}`, `             ${r.path}`);
  }
  if (s.duplicatedStrings.length > 0) {
    lines.push('', 'Duplicated strings (wasted = all copies but one)');
    lines.push(...table(['Wasted', 'Copies', 'String'], s.duplicatedStrings.slice(0, 10).map((d) => [formatBytes(d.wasted), int(d.count), JSON.stringify(cut(d.value, 70))]), new Set([0, 1])).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

export function diffText(d: HeapDiff, top = 20): string {
  const labels = snapshotLabels(d.snapshots.length);
  const lines = [heapSnapshotTable(d.snapshots.map((s, i) => ({ label: `${labels[i]} (${s.file})`, at: s.takenAt || undefined, heapBytes: s.totalSize })))];
  lines.push('', 'Growing classes (first → last snapshot)');
  if (d.growing.length === 0) lines.push('  nothing grew');
  else {
    lines.push(
      ...table(
        ['Constructor', 'Count Δ', 'Size Δ', 'Retained Δ', 'New', 'Deleted', 'Every step'],
        d.growing.slice(0, top).map((g) => [cut(g.name, 50), `+${int(g.countDelta)}`, formatBytes(g.sizeDelta, true), formatBytes(g.retainedDelta, true), int(g.new), int(g.deleted), g.monotonic ? 'yes' : 'no']),
        new Set([1, 2, 3, 4, 5]),
      ).map((l) => `  ${l}`),
    );
  }
  if (d.leaks.length > 0) {
    lines.push('', 'Allocated between the first two snapshots and still alive in the last, by retainer path');
    for (const l of d.leaks.slice(0, 5)) {
      lines.push(`  ${int(l.count)} objects, ${formatBytes(l.retainedSize)} retained (${l.classes.map((c) => `${c.count} ${c.name}`).join(', ')}) e.g. @${l.sampleId}`, `    ${l.path}`);
    }
  }
  lines.push('', d.findings.length === 0 ? 'No leak found.' : `Findings (${d.findings.length})`);
  for (const f of d.findings) {
    lines.push(`  [${f.severity}] ${f.rule}: ${f.title}`);
    if (typeof f.evidence.retainerPath === 'string' && f.evidence.retainerPath) lines.push(`    retained by: ${f.evidence.retainerPath}`);
    lines.push(`    fix: ${f.recommendation}`);
  }
  return lines.join('\n');
}
