/**
 * Markdown building blocks. Cell text is escaped: Markdown is rendered to HTML (GitHub, GitLab), and a profile
 * or a query may contain `<script>` or a pipe that would break the table.
 */
export function mdEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

/** Inline code that stays code: backticks inside are fenced with a longer run; HTML stays inert inside code. */
export function mdCode(text: string): string {
  const oneLine = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** A table; cells are raw Markdown (escape text with mdEscape first). */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const fmtMs = (ms: number | null | undefined) =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? '–' : ms >= 100 ? `${Math.round(ms)}ms` : `${+ms.toFixed(1)}ms`;
export const fmtNum = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${+x.toFixed(digits)}`;
export const fmtPct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${+x.toFixed(digits)}%`);
export const check = (on: boolean) => (on ? '[x]' : '[ ]');
