import type { Finding } from '../core/finding.js';
import type { HeapDiff } from './heap-diff.js';

/** One row of the method's heap-snapshot comparison table. */
export interface HeapSnapshotRow {
  label: string;
  /** When it was taken: epoch ms or an ISO date (the Time column is relative to the first row). */
  at?: number | string;
  heapBytes: number;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function formatBytes(bytes: number, signed = false): string {
  const sign = signed && bytes > 0 ? '+' : bytes < 0 ? '-' : '';
  const abs = Math.abs(bytes);
  const body = abs >= 1024 * 1024 ? `${(abs / (1024 * 1024)).toFixed(1)} MB` : abs >= 1024 ? `${(abs / 1024).toFixed(1)} KB` : `${Math.round(abs)} B`;
  return `${sign}${body}`;
}

function since(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return 'T+0';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${!h && sec ? `${sec}s` : ''}`;
  return `T+${parts || '0'}`;
}

const toMs = (at: number | string | undefined) => (at === undefined ? NaN : typeof at === 'number' ? at : Date.parse(at));

/**
 * The method's **Heap Snapshot Comparison** table (Step 3):
 * `| Snapshot | Time | Heap Size | Delta |`, time relative to the first snapshot, delta to the previous one.
 */
export function heapSnapshotTable(rows: readonly HeapSnapshotRow[]): string {
  const t0 = toMs(rows[0]?.at);
  const lines = ['| Snapshot | Time | Heap Size | Delta |', '|----------|------|-----------|-------|'];
  rows.forEach((r, i) => {
    const t = toMs(r.at);
    const time = Number.isFinite(t) && Number.isFinite(t0) ? since(t - t0) : '–';
    const delta = i === 0 ? '-' : formatBytes(r.heapBytes - rows[i - 1].heapBytes, true);
    lines.push(`| ${cell(r.label)} | ${time} | ${formatBytes(r.heapBytes)} | ${delta} |`);
  });
  return lines.join('\n');
}

/** Default labels: Initial, Middle / "Snapshot k", Final. */
export function snapshotLabels(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 'Initial' : i === count - 1 ? 'Final' : count === 3 ? 'Middle' : `Snapshot ${i + 1}`));
}

/** Which finding explains a class: the first (highest-ranked) one whose new objects include it. */
function causeOf(findings: readonly Finding[], cls: string): string | undefined {
  for (const f of findings) {
    const objs = f.evidence.newObjects as Array<{ name: string }> | undefined;
    const types = f.evidence.entryTypes as Array<{ name: string }> | undefined;
    if (objs?.some((o) => o.name === cls) || types?.some((o) => o.name === cls)) return `${String(f.evidence.likelyCause ?? f.rule)} (${f.rule})`;
  }
  return undefined;
}

/**
 * The method's **Retained Objects Analysis** table: `| Object Type | Count | Size | Likely Cause |` — the
 * classes that grew most between the first and last snapshot (count and retained size growth), each with the
 * likely cause a leak finding names for it.
 */
export function retainedObjectsTable(diff: HeapDiff, top = 8): string {
  const lines = ['| Object Type | Count | Size | Likely Cause |', '|-------------|-------|------|--------------|'];
  const rows = diff.growing.filter((g) => g.countDelta > 0).slice(0, top);
  for (const g of rows) {
    const size = g.retainedDelta > 0 ? g.retainedDelta : g.sizeDelta;
    const cause = causeOf(diff.findings, g.name) ?? (g.monotonic ? 'grows in every snapshot — no rule names a cause' : '–');
    lines.push(`| ${cell(g.name.length > 60 ? `${g.name.slice(0, 60)}…` : g.name)} | +${g.countDelta} | ${formatBytes(size, true)} | ${cell(cause)} |`);
  }
  if (rows.length === 0) lines.push('| (nothing grew) | – | – | – |');
  return lines.join('\n');
}

/** Both tables as a report.md section, under the method's headings. */
export function heapTablesMarkdown(diff: HeapDiff, options: { labels?: readonly string[] } = {}): string {
  const labels = options.labels ?? snapshotLabels(diff.snapshots.length);
  const rows = diff.snapshots.map((s, i) => ({ label: labels[i] ?? `Snapshot ${i + 1}`, at: s.takenAt || undefined, heapBytes: s.totalSize }));
  return ['**Heap Snapshot Comparison**:', '', heapSnapshotTable(rows), '', '**Retained Objects Analysis**:', '', retainedObjectsTable(diff)].join('\n');
}
