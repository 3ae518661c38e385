/**
 * What a statement filters, joins and sorts on, read from the PostgreSQL parse tree (libpg-query's raw
 * tree: `{ SelectStmt: { fromClause, whereClause, sortClause, … } }`). Used for index candidates, for the
 * batched rewrite of an N+1 and for binding sample values to `$n` parameters.
 */
import { tryParseSql } from './parser.js';

export interface TableRef {
  schema: string | null;
  name: string;
}

/** `output`: a plain column of the top-level select list (what a covering index must INCLUDE). */
export type PredicateKind = 'eq' | 'in' | 'range' | 'like' | 'null' | 'join' | 'sort' | 'group' | 'output';

export interface ColumnPredicate {
  /** The table the column belongs to; null when unqualified and several tables are in scope. */
  table: TableRef | null;
  /** Tables in scope when `table` is null (resolve with the catalog). */
  candidates: TableRef[];
  column: string;
  kind: PredicateKind;
  /** `$n` the column is compared with, if any. */
  param?: number;
  /** The parameter is an array (`col = ANY($n)`). */
  arrayParam?: boolean;
  /** Sort direction for `sort`. */
  desc?: boolean;
  /** The constant the column is compared with, as an SQL literal (`'pending'`, `5`, `true`). */
  constant?: string;
}

export interface StatementPredicates {
  kind: string;
  /** Tables read or written, in FROM order. */
  tables: TableRef[];
  predicates: ColumnPredicate[];
  /** `$n` used as LIMIT / OFFSET. */
  limitParams: number[];
  offsetParams: number[];
  /** INSERT: `$n` → target column. */
  insertParams: { param: number; table: TableRef; column: string }[];
  /** Highest `$n` in the statement (0: none). */
  maxParam: number;
}

type Node = Record<string, unknown>;
type Scope = { aliases: Map<string, TableRef>; tables: TableRef[]; parent: Scope | null };

const RANGE_OPS = new Set(['<', '<=', '>', '>=']);

/** Predicates of the first statement in `sql`, or null when the parser rejects it. */
export function statementPredicates(sql: string): StatementPredicates | null {
  const parsed = tryParseSql(sql);
  if (!parsed.ok || parsed.statements.length === 0) return null;
  const st = parsed.statements[0];
  const out: StatementPredicates = {
    kind: st.kind,
    tables: [],
    predicates: [],
    limitParams: [],
    offsetParams: [],
    insertParams: [],
    maxParam: maxParamIn(st.node),
  };
  const body = st.node[st.kind] as Node;
  switch (st.kind) {
    case 'SelectStmt':
      walkSelect(body, null, out);
      break;
    case 'UpdateStmt':
    case 'DeleteStmt': {
      const scope = newScope(null);
      addRange(body.relation as Node, scope, out);
      for (const f of asList(body.fromClause ?? body.usingClause)) addFrom(f, scope, out);
      walkExpr(body.whereClause, scope, out, false);
      break;
    }
    case 'InsertStmt': {
      const table = rangeVarRef(body.relation as Node);
      out.tables.push(table);
      const cols = asList(body.cols).map((c) => String((c.ResTarget as Node | undefined)?.name ?? ''));
      const select = (body.selectStmt as Node | undefined)?.SelectStmt as Node | undefined;
      for (const row of asList(select?.valuesLists)) {
        asList((row.List as Node | undefined)?.items).forEach((item, i) => {
          const p = paramOf(item);
          if (p && cols[i]) out.insertParams.push({ param: p.number, table, column: cols[i] });
        });
      }
      if (select && !select.valuesLists) walkSelect(select, null, out);
      break;
    }
    default:
      break;
  }
  return out;
}

function walkSelect(sel: Node, parent: Scope | null, out: StatementPredicates): void {
  if (sel.op && sel.op !== 'SETOP_NONE') {
    for (const side of [sel.larg, sel.rarg]) if (side) walkSelect(side as Node, parent, out);
    return;
  }
  for (const cte of asList((sel.withClause as Node | undefined)?.ctes)) {
    const q = (cte.CommonTableExpr as Node | undefined)?.ctequery as Node | undefined;
    if (q?.SelectStmt) walkSelect(q.SelectStmt as Node, parent, out);
  }
  const scope = newScope(parent);
  for (const f of asList(sel.fromClause)) addFrom(f, scope, out);
  if (parent === null)
    for (const t of asList(sel.targetList)) {
      const col = columnOf((t.ResTarget as Node | undefined)?.val, scope);
      if (col) out.predicates.push({ ...col, kind: 'output' });
    }
  walkExpr(sel.whereClause, scope, out, false);
  walkExpr(sel.havingClause, scope, out, false);
  for (const s of asList(sel.sortClause)) {
    const sb = s.SortBy as Node | undefined;
    const col = columnOf(sb?.node, scope);
    if (col) out.predicates.push({ ...col, kind: 'sort', desc: sb?.sortby_dir === 'SORTBY_DESC' });
  }
  for (const g of asList(sel.groupClause)) {
    const col = columnOf(g, scope);
    if (col) out.predicates.push({ ...col, kind: 'group' });
  }
  const lim = paramOf(sel.limitCount);
  if (lim) out.limitParams.push(lim.number);
  const off = paramOf(sel.limitOffset);
  if (off) out.offsetParams.push(off.number);
  // sub-selects in the target list (scalar subqueries) filter too
  for (const t of asList(sel.targetList)) walkExpr((t.ResTarget as Node | undefined)?.val, scope, out, false);
}

function addFrom(item: Node, scope: Scope, out: StatementPredicates): void {
  if (item.RangeVar) addRange(item.RangeVar as Node, scope, out);
  else if (item.JoinExpr) {
    const j = item.JoinExpr as Node;
    addFrom(j.larg as Node, scope, out);
    addFrom(j.rarg as Node, scope, out);
    walkExpr(j.quals, scope, out, true);
    for (const u of asList(j.usingClause)) {
      const name = String((u.String as Node | undefined)?.sval ?? '');
      // USING (col): the column of both sides; attribute it to every table in scope that is not yet known
      if (name)
        out.predicates.push({ table: null, candidates: [...scope.tables], column: name, kind: 'join' });
    }
  } else if (item.RangeSubselect) {
    const sub = (item.RangeSubselect as Node).subquery as Node | undefined;
    if (sub?.SelectStmt) walkSelect(sub.SelectStmt as Node, scope, out);
  }
}

function addRange(rv: Node, scope: Scope, out: StatementPredicates): void {
  const ref = rangeVarRef(rv);
  const alias = String(((rv.alias as Node | undefined)?.aliasname as string | undefined) ?? ref.name);
  scope.aliases.set(alias, ref);
  scope.tables.push(ref);
  if (!out.tables.some((t) => t.name === ref.name && t.schema === ref.schema)) out.tables.push(ref);
}

function walkExpr(e: unknown, scope: Scope, out: StatementPredicates, inJoin: boolean): void {
  if (!e || typeof e !== 'object') return;
  const n = e as Node;
  if (n.BoolExpr) {
    for (const a of asList((n.BoolExpr as Node).args)) walkExpr(a, scope, out, inJoin);
    return;
  }
  if (n.A_Expr) {
    const a = n.A_Expr as Node;
    const op = String(((asList(a.name)[0]?.String as Node | undefined)?.sval as string | undefined) ?? '');
    const kind = a.kind as string;
    const l = columnOf(a.lexpr, scope);
    const r = columnOf(a.rexpr, scope);
    if (l && r && op === '=') {
      out.predicates.push({ ...l, kind: 'join' }, { ...r, kind: 'join' });
      return;
    }
    const col = l ?? r;
    const other = l ? a.rexpr : a.lexpr;
    if (col) {
      const p = paramOf(other);
      const pk = predicateKind(kind, op, inJoin);
      if (pk) {
        const pred: ColumnPredicate = { ...col, kind: pk };
        if (p) pred.param = p.number;
        const c = constantOf(other);
        if (c !== null) pred.constant = c;
        if (p && (kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_OP_ALL')) pred.arrayParam = true;
        out.predicates.push(pred);
        if (kind === 'AEXPR_BETWEEN') {
          const bounds = asList(((a.rexpr as Node | undefined)?.List as Node | undefined)?.items);
          const first = bounds.map(paramOf).find((x) => x !== null);
          if (first && pred.param === undefined) pred.param = first.number;
        }
      }
    }
    walkExpr(a.lexpr, scope, out, inJoin);
    walkExpr(a.rexpr, scope, out, inJoin);
    return;
  }
  if (n.NullTest) {
    const col = columnOf((n.NullTest as Node).arg, scope);
    if (col) out.predicates.push({ ...col, kind: 'null' });
    return;
  }
  if (n.SubLink) {
    const s = n.SubLink as Node;
    const testCol = columnOf(s.testexpr, scope);
    if (testCol && s.subLinkType === 'ANY_SUBLINK') out.predicates.push({ ...testCol, kind: 'in' });
    const sub = (s.subselect as Node | undefined)?.SelectStmt as Node | undefined;
    if (sub) walkSelect(sub, scope, out);
    return;
  }
  if (n.TypeCast) return walkExpr((n.TypeCast as Node).arg, scope, out, inJoin);
  if (n.List) for (const i of asList((n.List as Node).items)) walkExpr(i, scope, out, inJoin);
}

function predicateKind(kind: string, op: string, inJoin: boolean): PredicateKind | null {
  if (kind === 'AEXPR_OP' && op === '=') return inJoin ? 'join' : 'eq';
  if (kind === 'AEXPR_OP' && RANGE_OPS.has(op)) return 'range';
  if (kind === 'AEXPR_IN' || ((kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_OP_ALL') && op === '='))
    return 'in';
  if (kind.startsWith('AEXPR_BETWEEN') || kind.startsWith('AEXPR_NOT_BETWEEN')) return 'range';
  if (kind === 'AEXPR_LIKE' || kind === 'AEXPR_ILIKE') return 'like';
  if (kind === 'AEXPR_NOT_DISTINCT') return 'eq';
  return null;
}

function columnOf(e: unknown, scope: Scope): Omit<ColumnPredicate, 'kind'> | null {
  if (!e || typeof e !== 'object') return null;
  const n = e as Node;
  if (n.TypeCast) return columnOf((n.TypeCast as Node).arg, scope);
  const ref = n.ColumnRef as Node | undefined;
  if (!ref) return null;
  const fields = asList(ref.fields).map((f) => (f.String as Node | undefined)?.sval as string | undefined);
  if (fields.some((f) => f === undefined)) return null; // t.*
  const names = fields as string[];
  const column = names[names.length - 1];
  if (names.length >= 2) {
    const qualifier = names[names.length - 2];
    for (let s: Scope | null = scope; s; s = s.parent) {
      const t = s.aliases.get(qualifier);
      if (t) return { table: t, candidates: [], column };
    }
    return null;
  }
  if (scope.tables.length === 1) return { table: scope.tables[0], candidates: [], column };
  const candidates: TableRef[] = [];
  for (let s: Scope | null = scope; s; s = s.parent) candidates.push(...s.tables);
  return { table: null, candidates, column };
}

/** `'pending'`, `'x'::text`, `42`, `true` → the literal as SQL; null for anything else. */
function constantOf(e: unknown): string | null {
  if (!e || typeof e !== 'object') return null;
  const n = e as Node;
  if (n.TypeCast) return constantOf((n.TypeCast as Node).arg);
  const c = n.A_Const as Node | undefined;
  if (!c || c.isnull) return null;
  const v = (k: string, f: string) =>
    (c[k] as Node | undefined)?.[f] as string | number | boolean | undefined;
  const sval = v('sval', 'sval');
  if (typeof sval === 'string') return `'${sval.replaceAll("'", "''")}'`;
  const ival = c.ival as Node | undefined;
  if (ival) return String(ival.ival ?? 0);
  const fval = v('fval', 'fval');
  if (fval !== undefined) return String(fval);
  const b = c.boolval as Node | undefined;
  if (b) return b.boolval ? 'true' : 'false';
  return null;
}

function paramOf(e: unknown): { number: number } | null {
  if (!e || typeof e !== 'object') return null;
  const n = e as Node;
  if (n.TypeCast) return paramOf((n.TypeCast as Node).arg);
  const p = n.ParamRef as Node | undefined;
  return p && typeof p.number === 'number' ? { number: p.number } : null;
}

function rangeVarRef(rv: Node): TableRef {
  return { schema: (rv.schemaname as string | undefined) ?? null, name: String(rv.relname ?? '') };
}

function newScope(parent: Scope | null): Scope {
  return { aliases: new Map(), tables: [], parent };
}

function asList(x: unknown): Node[] {
  return Array.isArray(x) ? (x as Node[]) : [];
}

function maxParamIn(tree: unknown): number {
  let max = 0;
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === 'object') {
      const p = (x as Node).ParamRef as Node | undefined;
      if (p && typeof p.number === 'number') max = Math.max(max, p.number);
      for (const v of Object.values(x)) visit(v);
    }
  };
  visit(tree);
  return max;
}

/** `"Weird Name"` / `plain_name`: a PostgreSQL identifier, quoted only when it must be. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedName(t: TableRef): string {
  return t.schema ? `${quoteIdent(t.schema)}.${quoteIdent(t.name)}` : quoteIdent(t.name);
}

const RESERVED = new Set([
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'asymmetric',
  'both',
  'case',
  'cast',
  'check',
  'collate',
  'column',
  'constraint',
  'create',
  'current_catalog',
  'current_date',
  'current_role',
  'current_time',
  'current_timestamp',
  'current_user',
  'default',
  'deferrable',
  'desc',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'false',
  'fetch',
  'for',
  'foreign',
  'from',
  'grant',
  'group',
  'having',
  'in',
  'initially',
  'intersect',
  'into',
  'lateral',
  'leading',
  'limit',
  'localtime',
  'localtimestamp',
  'not',
  'null',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'placing',
  'primary',
  'references',
  'returning',
  'select',
  'session_user',
  'some',
  'symmetric',
  'table',
  'then',
  'to',
  'trailing',
  'true',
  'union',
  'unique',
  'user',
  'using',
  'variadic',
  'when',
  'where',
  'window',
  'with',
]);
