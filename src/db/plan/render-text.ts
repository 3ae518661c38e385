/**
 * A plan as EXPLAIN-like text with perfloop's numbers added: each node's exclusive time and its share,
 * `#id` to match findings. Used by `perfloop explain` and the report's "Execution Plan" block.
 */
import type { Plan, PlanNode } from './types.js';

const DETAIL_KEYS = [
  'Index Cond',
  'Recheck Cond',
  'Hash Cond',
  'Merge Cond',
  'Join Filter',
  'Filter',
  'Rows Removed by Filter',
  'Rows Removed by Join Filter',
  'Rows Removed by Index Recheck',
  'Sort Key',
  'Sort Method',
  'Heap Fetches',
  'Workers Planned',
  'Workers Launched',
];

export function renderPlanText(plan: Plan, options: { maxNodes?: number } = {}): string {
  const total = plan.executionMs ?? plan.root.inclusiveMs ?? null;
  const lines: string[] = [];
  const max = options.maxNodes ?? 200;
  let shown = 0;
  const visit = (n: PlanNode, depth: number) => {
    if (shown++ >= max) return;
    const pad = '  '.repeat(depth);
    const head = n.subplanName ? `${pad}${n.subplanName}\n${pad}  ` : pad;
    const arrow = depth === 0 ? '' : '->  ';
    const cost =
      n.totalCost !== null ? `  (cost=${n.startupCost ?? 0}..${n.totalCost} rows=${n.planRows ?? '?'})` : '';
    const actual = n.actual
      ? n.actual.loops === 0
        ? ' (never executed)'
        : ` (actual${n.actual.totalMs !== null ? ` time=${n.actual.startupMs}..${n.actual.totalMs}` : ''} rows=${n.actual.rows} loops=${n.actual.loops})`
      : '';
    const self =
      n.exclusiveMs !== null && total
        ? `  [#${n.id} self ${n.exclusiveMs.toFixed(3)} ms, ${((100 * n.exclusiveMs) / total).toFixed(1)}%]`
        : `  [#${n.id}]`;
    lines.push(`${head}${arrow}${n.label}${cost}${actual}${self}`);
    const detailPad = `${pad}${depth === 0 ? '  ' : '      '}`;
    for (const k of DETAIL_KEYS) {
      const v = n.props[k];
      if (v === undefined || v === null || (k.startsWith('Rows Removed') && v === 0)) continue;
      const text = Array.isArray(v) ? v.join(', ') : String(v);
      const extra =
        k === 'Sort Method' && n.props['Sort Space Used'] !== undefined
          ? `  ${n.props['Sort Space Type']}: ${n.props['Sort Space Used']}kB`
          : '';
      lines.push(`${detailPad}${k}: ${text}${extra}`);
    }
    if (n.props['Hash Batches'] !== undefined)
      lines.push(
        `${detailPad}Buckets: ${n.props['Hash Buckets']}  Batches: ${n.props['Hash Batches']}  Memory Usage: ${n.props['Peak Memory Usage']}kB`,
      );
    if (n.props['Lossy Heap Blocks'] !== undefined || n.props['Exact Heap Blocks'] !== undefined)
      lines.push(
        `${detailPad}Heap Blocks: exact=${n.props['Exact Heap Blocks'] ?? 0} lossy=${n.props['Lossy Heap Blocks'] ?? 0}`,
      );
    if (n.buffers) {
      const b = n.buffers;
      const parts = [`shared hit=${b.sharedHit} read=${b.sharedRead}`];
      if (b.tempRead || b.tempWritten) parts.push(`temp read=${b.tempRead} written=${b.tempWritten}`);
      lines.push(`${detailPad}Buffers: ${parts.join(', ')}`);
    }
    for (const c of n.children) visit(c, depth + (depth === 0 ? 1 : 2));
  };
  visit(plan.root, 0);
  if (shown > max) lines.push(`… ${shown - max} more nodes`);
  if (plan.planningMs !== null) lines.push(`Planning Time: ${plan.planningMs} ms`);
  if (plan.jit?.totalMs) lines.push(`JIT: ${plan.jit.functions ?? '?'} functions, ${plan.jit.totalMs} ms`);
  if (plan.executionMs !== null) lines.push(`Execution Time: ${plan.executionMs} ms`);
  return lines.join('\n');
}
