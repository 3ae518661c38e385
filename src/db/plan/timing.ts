/**
 * Inclusive and exclusive wall time per plan node. EXPLAIN prints per-loop averages, so:
 *  - loops: a node's total is its per-loop time × loops (the inner side of a nested loop);
 *  - parallel workers: under a Gather, loops count every process and times are per-process averages, so the
 *    wall time is per-loop time × loops / processes (processes = workers launched + the leader);
 *  - CTEs: a `CTE x` subplan runs inside the CTE Scans that read it, so its time is taken out of those scans
 *    (shared by their time when several read it), not out of the node the subplan hangs under;
 *  - InitPlans: run once, inside the first node that reads their output (`$0`, `(InitPlan 1)`), which is the
 *    node they hang under or one of its descendants — their time is taken out of that node.
 * Exclusive time is then the node's own time; over the tree the exclusive times add up to the root's time.
 */
import type { Plan, PlanNode } from './types.js';

export function computeTimes(plan: Plan): void {
  assignProcesses(plan.root, 1);
  if (!plan.timed) return;
  for (const n of plan.nodes) n.inclusiveMs = inclusive(n);
  const excl = new Map<PlanNode, number>();
  for (const n of plan.nodes) {
    let own = n.inclusiveMs ?? 0;
    for (const c of n.children) if (!isInitPlan(c)) own -= c.inclusiveMs ?? 0;
    excl.set(n, own);
  }
  for (const owner of plan.nodes) {
    for (const init of owner.children.filter(isInitPlan)) {
      const t = init.inclusiveMs ?? 0;
      if (t <= 0) continue;
      for (const [node, share] of initPlanConsumers(plan, owner, init))
        excl.set(node, (excl.get(node) ?? 0) - t * share);
    }
  }
  for (const n of plan.nodes) n.exclusiveMs = Math.max(0, round3(excl.get(n) ?? 0));
}

function assignProcesses(n: PlanNode, p: number): void {
  n.processes = p;
  const gathers = n.nodeType === 'Gather' || n.nodeType === 'Gather Merge';
  const workers = n.workersLaunched ?? (n.actual ? null : n.workersPlanned);
  // The leader runs the plan too (parallel_leader_participation defaults on).
  const childP = gathers ? (workers ?? 0) + 1 : p;
  for (const c of n.children) assignProcesses(c, isInitPlan(c) ? 1 : childP);
}

function inclusive(n: PlanNode): number | null {
  const a = n.actual;
  if (!a || a.totalMs === null) return null;
  if (a.loops === 0) return 0;
  return round3(a.totalMs * Math.max(1, a.loops / n.processes));
}

export function isInitPlan(n: PlanNode): boolean {
  return n.parentRelationship === 'InitPlan';
}

/** Who ran an InitPlan (and so holds its time), with the share each holds. */
function initPlanConsumers(plan: Plan, owner: PlanNode, init: PlanNode): [PlanNode, number][] {
  const cte = /^CTE (.+)$/.exec(init.subplanName ?? '')?.[1];
  if (cte !== undefined) {
    const name = unquote(cte);
    const scans = plan.nodes.filter(
      (n) =>
        n.nodeType === 'CTE Scan' && n.cteName !== null && unquote(n.cteName) === name && !isWithin(n, init),
    );
    const total = scans.reduce((s, n) => s + (n.inclusiveMs ?? 0), 0);
    if (scans.length === 0 || total <= 0) return [[owner, 1]];
    return scans.map((s) => [s, (s.inclusiveMs ?? 0) / total]);
  }
  if (owner.nodeType === 'Gather' || owner.nodeType === 'Gather Merge') return [[owner, 1]];
  const tokens = initPlanTokens(init.subplanName ?? '');
  if (tokens.length === 0) return [[owner, 1]];
  const reader = firstReader(owner, init, tokens);
  return [[reader ?? owner, 1]];
}

/** `InitPlan 1 (returns $0,$1)` → [/\$0\b/, /\$1\b/]; `InitPlan 2` (PostgreSQL 17+) → [/\(InitPlan 2\)/]. */
function initPlanTokens(name: string): RegExp[] {
  const returns = /returns (.+)\)/.exec(name)?.[1];
  if (returns) return [...returns.matchAll(/\$(\d+)/g)].map((m) => new RegExp(`\\$${m[1]}(?!\\d)`));
  const n = /^InitPlan (\d+)/.exec(name)?.[1];
  return n ? [new RegExp(`\\(InitPlan ${n}\\)`)] : [];
}

/** The first descendant of `owner` (pre-order, outside InitPlans) whose expressions read the InitPlan. */
function firstReader(owner: PlanNode, init: PlanNode, tokens: RegExp[]): PlanNode | null {
  const reads = (n: PlanNode) =>
    Object.entries(n.props).some(
      ([k, v]) => k !== 'Subplan Name' && textsOf(v).some((t) => tokens.some((re) => re.test(t))),
    );
  if (reads(owner)) return null;
  const stack = owner.children.filter((c) => c !== init && !isInitPlan(c)).reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (reads(n)) return n;
    stack.push(...n.children.filter((c) => !isInitPlan(c)).reverse());
  }
  return null;
}

function textsOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

function isWithin(n: PlanNode, ancestor: PlanNode): boolean {
  for (let p: PlanNode | null = n; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1');
const round3 = (x: number) => Math.round(x * 1000) / 1000;
