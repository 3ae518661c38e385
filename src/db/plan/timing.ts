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
  fitToInclusive(plan, excl);
}

/**
 * Per-loop averages and per-process averages are rounded and approximate, so a node's children can add up to
 * more than the node (a negative own time). Clamping those to 0 alone makes the exclusive times add up to more
 * than the statement took; so, bottom-up, a subtree whose times add up to more than the node's inclusive time
 * is scaled down to it. The exclusive times of the whole plan then add up to the root's time.
 */
function fitToInclusive(plan: Plan, excl: Map<PlanNode, number>): void {
  const own = new Map<PlanNode, number>();
  const factor = new Map<PlanNode, number>();
  const fitted = new Map<PlanNode, number>();
  // pre-order list reversed = every child before its parent
  for (let i = plan.nodes.length - 1; i >= 0; i--) {
    const n = plan.nodes[i];
    const mine = Math.max(0, excl.get(n) ?? 0);
    own.set(n, mine);
    const sum = n.children.reduce((s, c) => s + (fitted.get(c) ?? 0), mine);
    const cap = n.inclusiveMs ?? sum;
    const f = sum > cap && sum > 0 ? cap / sum : 1;
    factor.set(n, f);
    fitted.set(n, sum * f);
  }
  const scale = new Map<PlanNode, number>();
  for (const n of plan.nodes) {
    const s = (n.parent ? scale.get(n.parent)! : 1) * factor.get(n)!;
    scale.set(n, s);
    n.exclusiveMs = round3(own.get(n)! * s);
  }
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
