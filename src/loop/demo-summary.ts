import { relative } from 'node:path';
import { beforeAfterTable, iterationLogTable, type Iteration } from '../report/iteration-log.js';
import { mdEscape } from '../report/markdown.js';

/** `summary.md` of `perfloop demo`: the iteration log, before vs after, and where each report is. */
export function demoSummaryMarkdown(iterations: readonly (Iteration & { dir: string })[]): string {
  const out: string[] = ['# perfloop demo: optimization loop on the demo service', ''];
  if (iterations.length === 0) return `${out.join('\n')}No iteration ran.\n`;
  const first = iterations[0].record;
  const last = iterations[iterations.length - 1].record;
  out.push('### Optimization Iteration', '', '**Iteration Log**:', '', iterationLogTable(iterations), '');
  out.push('**Before vs After** (baseline → every fix applied):', '', beforeAfterTable(first, last), '');
  const firstTop = first.findings.slice(0, 5);
  out.push('**What the baseline found** (top findings by estimated impact):', '');
  for (const f of firstTop) out.push(`- [${f.severity}] \`${f.rule}\` ${mdEscape(f.title)}`);
  out.push('', '**Runs**:', '');
  const base = iterations[0].dir.replace(/\/[^/]+$/, '');
  for (const it of iterations) {
    const r = it.record;
    out.push(`- \`${r.run.id}\` ${mdEscape(r.run.label)}: [report](${encodeURI(relative(base, it.dir))}/report.md) · [flame graph](${encodeURI(relative(base, it.dir))}/flame.html) · ${r.findings.length} findings`);
  }
  out.push('');
  return out.join('\n');
}
