/**
 * Plan diff: the nodes of two plans of one statement (before and after a change) matched to each other, with
 * what changed at each: node type (Seq Scan → Index Scan), time, rows, loops and buffers.
 *
 * Matching walks both trees from the roots. Children are paired in order of best fit: same node type and
 * relation first, then same relation (a scan whose method changed), then same type, then position; what is
 * left on either side is added or removed. A node that became another type keeps its subtree paired, so a
 * Hash Join → Nested Loop still lines up the two scans below it.
 */
import type { Plan, PlanNode } from './types.js';

export interface NodeChange {
  before: NodeSide | null;
  after: NodeSide | null;
  /** `changed` (type or method), `same`, `added`, `removed`. */
  kind: 'same' | 'changed' | 'added' | 'removed';
  /** Ratios after/before where both are known (> 1: more). */
  timeRatio: number | null;
  rowsRatio: number | null;
}

export interface NodeSide {
  id: number;
  label: string;
  type: string;
  relation: string | null;
  /** Wall time of the node alone (ms). */
  exclusiveMs: number | null;
  inclusiveMs: number | null;
  rows: number | null;
  loops: number | null;
  /** Shared blocks hit + read by the node and its children. */
  sharedBlocks: number | null;
}

export interface PlanDiff {
  schema: 'perfloop/plan-diff@1';
  before: PlanTotals;
  after: PlanTotals;
  nodes: NodeChange[];
}

export interface PlanTotals {
  nodes: number;
  planningMs: number | null;
  executionMs: number | null;
  sharedBlocks: number | null;
}

export function diffPlans(before: Plan, after: Plan): PlanDiff {
  const nodes: NodeChange[] = [];
  const visit = (a: PlanNode | null, b: PlanNode | null) => {
    nodes.push(change(a, b));
    const pairs = pairChildren(a?.children ?? [], b?.children ?? []);
    for (const [x, y] of pairs) visit(x, y);
  };
  visit(before.root, after.root);
  return { schema: 'perfloop/plan-diff@1', before: totals(before), after: totals(after), nodes };
}

function totals(p: Plan): PlanTotals {
  return {
    nodes: p.nodes.length,
    planningMs: p.planningMs,
    executionMs: p.executionMs,
    sharedBlocks: blocks(p.root),
  };
}

function change(a: PlanNode | null, b: PlanNode | null): NodeChange {
  const before = a ? side(a) : null;
  const after = b ? side(b) : null;
  const kind = !a ? 'added' : !b ? 'removed' : a.label === b.label ? 'same' : 'changed';
  return {
    before,
    after,
    kind,
    timeRatio: ratio(before?.inclusiveMs ?? null, after?.inclusiveMs ?? null),
    rowsRatio: ratio(before?.rows ?? null, after?.rows ?? null),
  };
}

function side(n: PlanNode): NodeSide {
  return {
    id: n.id,
    label: n.label,
    type: n.nodeType,
    relation: n.relation,
    exclusiveMs: n.exclusiveMs,
    inclusiveMs: n.inclusiveMs,
    rows: n.actual ? n.actual.rows * n.actual.loops : null,
    loops: n.actual?.loops ?? null,
    sharedBlocks: blocks(n),
  };
}

function blocks(n: PlanNode): number | null {
  return n.buffers ? n.buffers.sharedHit + n.buffers.sharedRead : null;
}

function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || a === 0) return null;
  return Math.round((b / a) * 1000) / 1000;
}

/** Children paired best fit first; the rest paired with null. */
function pairChildren(as: PlanNode[], bs: PlanNode[]): [PlanNode | null, PlanNode | null][] {
  const out: [PlanNode | null, PlanNode | null][] = [];
  const freeA = new Set(as);
  const freeB = new Set(bs);
  const tests: ((x: PlanNode, y: PlanNode) => boolean)[] = [
    (x, y) => x.nodeType === y.nodeType && x.relation === y.relation && x.alias === y.alias,
    (x, y) => x.relation !== null && x.relation === y.relation,
    (x, y) => x.nodeType === y.nodeType,
    (x, y) => x.parentRelationship === y.parentRelationship,
  ];
  for (const test of tests)
    for (const x of as) {
      if (!freeA.has(x)) continue;
      const y = bs.find((c) => freeB.has(c) && test(x, c));
      if (!y) continue;
      freeA.delete(x);
      freeB.delete(y);
      out.push([x, y]);
    }
  for (const x of freeA) out.push([x, null]);
  for (const y of freeB) out.push([null, y]);
  // keep the before plan's order, additions after their siblings
  const order = (p: [PlanNode | null, PlanNode | null]) =>
    p[0] ? as.indexOf(p[0]) : as.length + bs.indexOf(p[1]!);
  return out.sort((p, q) => order(p) - order(q));
}

/** The diff as the lines `perfloop explain --diff` prints. */
export function renderPlanDiff(d: PlanDiff): string {
  const ms = (x: number | null) => (x === null ? '–' : `${+x.toFixed(3)} ms`);
  const n = (x: number | null) => (x === null ? '–' : Math.round(x).toLocaleString('en-US'));
  const out = [
    `Execution ${ms(d.before.executionMs)} → ${ms(d.after.executionMs)} · planning ${ms(d.before.planningMs)} → ${ms(d.after.planningMs)} · nodes ${d.before.nodes} → ${d.after.nodes} · shared blocks ${n(d.before.sharedBlocks)} → ${n(d.after.sharedBlocks)}`,
    '',
  ];
  for (const c of d.nodes) {
    const b = c.before;
    const a = c.after;
    const mark = { same: ' ', changed: '~', added: '+', removed: '-' }[c.kind];
    const name = b && a && c.kind === 'changed' ? `${b.label} → ${a.label}` : (a ?? b)!.label;
    const nums =
      b && a
        ? `time ${ms(b.inclusiveMs)} → ${ms(a.inclusiveMs)}, rows ${n(b.rows)} → ${n(a.rows)}, loops ${n(b.loops)} → ${n(a.loops)}, blocks ${n(b.sharedBlocks)} → ${n(a.sharedBlocks)}`
        : `time ${ms((a ?? b)!.inclusiveMs)}, rows ${n((a ?? b)!.rows)}`;
    out.push(`${mark} ${name}  (${nums})`);
  }
  return out.join('\n');
}
