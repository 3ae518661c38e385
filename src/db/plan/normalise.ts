/**
 * EXPLAIN's JSON shape (also what the text parser produces) → the normalised Plan. Key names are
 * PostgreSQL's (https://www.postgresql.org/docs/current/using-explain.html; src/backend/commands/explain.c):
 * one reader for both formats keeps their meaning identical.
 */
import { PerfloopError } from '../../core/errors.js';
import { computeTimes } from './timing.js';
import type { Plan, PlanBuffers, PlanFormat, PlanJit, PlanNode, PlanTrigger, PlanWorker } from './types.js';

export type RawNode = Record<string, unknown>;

/** One EXPLAIN result: `{ Plan, Planning Time, Execution Time, … }`. */
export function normaliseExplain(raw: RawNode, format: PlanFormat): Plan {
  const top = raw.Plan;
  if (
    !top ||
    typeof top !== 'object' ||
    Array.isArray(top) ||
    typeof (top as RawNode)['Node Type'] !== 'string'
  )
    throw new PerfloopError('PLAN_INVALID', 'not an EXPLAIN plan: no "Plan" with a "Node Type"', {
      hint: 'use EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) or the text format',
    });
  const nodes: PlanNode[] = [];
  const root = toNode(top as RawNode, null, '0', nodes);
  const analyzed = nodes.some((n) => n.actual !== null);
  const timed = nodes.some((n) => n.actual?.totalMs !== null && n.actual?.totalMs !== undefined);
  const plan: Plan = {
    root,
    nodes,
    format,
    analyzed,
    timed,
    planningMs: num(raw['Planning Time']),
    executionMs: num(raw['Execution Time']),
    planningBuffers: buffersOf((raw.Planning as RawNode | undefined) ?? {}),
    jit: jitOf(raw.JIT as RawNode | undefined),
    triggers: triggersOf(raw.Triggers),
    settings: Object.fromEntries(
      Object.entries((raw.Settings as RawNode | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
    ),
    queryText: typeof raw['Query Text'] === 'string' ? (raw['Query Text'] as string) : null,
  };
  computeTimes(plan);
  return plan;
}

function toNode(raw: RawNode, parent: PlanNode | null, path: string, all: PlanNode[]): PlanNode {
  const loops = num(raw['Actual Loops']);
  const rows = num(raw['Actual Rows']);
  const hasActual = loops !== null || rows !== null;
  const node: PlanNode = {
    id: all.length + 1,
    path,
    nodeType: String(raw['Node Type']),
    label: '',
    parentRelationship: str(raw['Parent Relationship']),
    subplanName: str(raw['Subplan Name']),
    parallelAware: raw['Parallel Aware'] === true,
    relation: str(raw['Relation Name']),
    schema: str(raw.Schema),
    alias: str(raw.Alias),
    indexName: str(raw['Index Name']),
    cteName: str(raw['CTE Name']),
    joinType: str(raw['Join Type']),
    strategy: str(raw.Strategy),
    partialMode: str(raw['Partial Mode']),
    operation: str(raw.Operation),
    startupCost: num(raw['Startup Cost']),
    totalCost: num(raw['Total Cost']),
    planRows: num(raw['Plan Rows']),
    planWidth: num(raw['Plan Width']),
    actual: hasActual
      ? {
          startupMs: num(raw['Actual Startup Time']),
          totalMs: num(raw['Actual Total Time']),
          rows: rows ?? 0,
          loops: loops ?? 0,
        }
      : null,
    workersPlanned: num(raw['Workers Planned']),
    workersLaunched: num(raw['Workers Launched']),
    buffers:
      'Shared Hit Blocks' in raw || 'Shared Read Blocks' in raw || 'Temp Read Blocks' in raw
        ? buffersOf(raw)
        : null,
    props: Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'Plans' && k !== 'Workers')),
    workers: Array.isArray(raw.Workers) ? (raw.Workers as RawNode[]).map(workerOf) : [],
    children: [],
    parent,
    inclusiveMs: null,
    exclusiveMs: null,
    processes: 1,
  };
  node.label = labelOf(node);
  all.push(node);
  const kids = Array.isArray(raw.Plans) ? (raw.Plans as RawNode[]) : [];
  node.children = kids.map((k, i) => toNode(k, node, `${path}.${i}`, all));
  return node;
}

function workerOf(w: RawNode): PlanWorker {
  return { worker: num(w['Worker Number']) ?? 0, props: w };
}

/** The label EXPLAIN text prints for a node. */
function labelOf(n: PlanNode): string {
  const parallel = n.parallelAware ? 'Parallel ' : '';
  const partial = n.partialMode && n.partialMode !== 'Simple' ? `${n.partialMode} ` : '';
  let base = n.nodeType;
  if (n.nodeType === 'Aggregate')
    base =
      (
        { Hashed: 'HashAggregate', Sorted: 'GroupAggregate', Mixed: 'MixedAggregate' } as Record<
          string,
          string
        >
      )[n.strategy ?? ''] ?? 'Aggregate';
  else if (n.nodeType === 'ModifyTable' && n.operation) base = n.operation;
  else if (n.nodeType === 'SetOp')
    base = `${n.strategy === 'Hashed' ? 'HashSetOp' : 'SetOp'}${typeof n.props.Command === 'string' ? ` ${n.props.Command}` : ''}`;
  else if (n.joinType && n.joinType !== 'Inner')
    base =
      n.nodeType === 'Nested Loop'
        ? `Nested Loop ${n.joinType} Join`
        : n.nodeType.replace(/ Join$/, ` ${n.joinType} Join`);
  if (n.nodeType.startsWith('Index') && n.props['Scan Direction'] === 'Backward') base += ' Backward';
  let where = '';
  const rel = n.relation
    ? `${n.schema ? `${n.schema}.` : ''}${n.relation}${n.alias && n.alias !== n.relation ? ` ${n.alias}` : ''}`
    : null;
  if ((n.nodeType === 'Index Scan' || n.nodeType === 'Index Only Scan') && n.indexName)
    where = ` using ${n.indexName}${rel ? ` on ${rel}` : ''}`;
  else if (n.nodeType === 'Bitmap Index Scan' && n.indexName) where = ` on ${n.indexName}`;
  else if (n.nodeType === 'CTE Scan' && n.cteName)
    where = ` on ${n.cteName}${n.alias && n.alias !== n.cteName ? ` ${n.alias}` : ''}`;
  else if (rel) where = ` on ${rel}`;
  else if (n.alias && /Scan$/.test(n.nodeType)) where = ` on ${n.alias}`;
  return `${partial}${parallel}${base}${where}`;
}

export function buffersOf(raw: RawNode): PlanBuffers | null {
  if (
    !('Shared Hit Blocks' in raw) &&
    !('Shared Read Blocks' in raw) &&
    !('Temp Read Blocks' in raw) &&
    !('Temp Written Blocks' in raw)
  )
    return null;
  const b = (k: string) => num(raw[k]) ?? 0;
  return {
    sharedHit: b('Shared Hit Blocks'),
    sharedRead: b('Shared Read Blocks'),
    sharedDirtied: b('Shared Dirtied Blocks'),
    sharedWritten: b('Shared Written Blocks'),
    localHit: b('Local Hit Blocks'),
    localRead: b('Local Read Blocks'),
    tempRead: b('Temp Read Blocks'),
    tempWritten: b('Temp Written Blocks'),
  };
}

function jitOf(raw: RawNode | undefined): PlanJit | null {
  if (!raw || typeof raw !== 'object') return null;
  const timing = (raw.Timing as RawNode | undefined) ?? {};
  // PostgreSQL 17 nests Generation as { Deform, Total }.
  const t = (k: string) => {
    const v = timing[k];
    return v && typeof v === 'object' ? num((v as RawNode).Total) : num(v);
  };
  return {
    functions: num(raw.Functions),
    generationMs: t('Generation'),
    inliningMs: t('Inlining'),
    optimizationMs: t('Optimization'),
    emissionMs: t('Emission'),
    totalMs: t('Total'),
  };
}

function triggersOf(raw: unknown): PlanTrigger[] {
  if (!Array.isArray(raw)) return [];
  return (raw as RawNode[]).map((t) => ({
    name: String(t['Trigger Name'] ?? t['Constraint Name'] ?? 'trigger'),
    constraint: str(t['Constraint Name']),
    relation: str(t.Relation),
    timeMs: num(t.Time) ?? 0,
    calls: num(t.Calls) ?? 0,
  }));
}

export function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
