/**
 * One node line of EXPLAIN text, e.g.
 *   `->  Parallel Index Scan Backward using orders_pkey on orders o  (cost=0.29..8.31 rows=1 width=8) (actual time=0.010..0.011 rows=1.00 loops=3)`
 * → the JSON fields PostgreSQL would have printed (`Node Type`, `Index Name`, `Actual Rows`, …).
 * Names as printed by explain.c's ExplainNode (PostgreSQL 12–18).
 */
import type { RawNode } from './normalise.js';

// A number as EXPLAIN prints it, or `N` / `N.N` where a regression test masked it (read as unknown).
const NUM = String.raw`(-?[\d.]+|N(?:\.N+)?)`;
const COST_RE = new RegExp(String.raw`^\(cost=${NUM}\.\.${NUM} rows=${NUM} width=${NUM}\)`);
const ACTUAL_RE = new RegExp(
  String.raw`^\((?:actual time=${NUM}\.\.${NUM} rows=${NUM} loops=${NUM}|actual rows=${NUM} loops=${NUM}|(never executed))\)`,
);
const masked = (s: string) => (s[0] === 'N' ? null : Number(s));

/**
 * Parses `name (cost…) (actual…)`; returns null when the line carries neither costs nor actuals and
 * `requireNumbers` is set. The groups are found with indexOf (no regex runs over the name), so the time is
 * linear in the line's length.
 */
export function parseNodeLine(text: string, requireNumbers: boolean): RawNode | null {
  let end = text.length;
  const costAt = text.lastIndexOf('(cost=');
  const actualAt = Math.max(text.lastIndexOf('(actual '), text.lastIndexOf('(never executed)'));
  let cost: RegExpExecArray | null = null;
  let actual: RegExpExecArray | null = null;
  if (actualAt >= 0) {
    actual = ACTUAL_RE.exec(text.slice(actualAt));
    // the group must end the line: `(actual …)` inside a name or filter is not it
    if (actual && text.slice(actualAt + actual[0].length).trim() === '') end = actualAt;
    else actual = null;
  }
  if (costAt >= 0 && costAt < end) {
    cost = COST_RE.exec(text.slice(costAt, end));
    if (cost && text.slice(costAt + cost[0].length, end).trim() === '') end = costAt;
    else cost = null;
  }
  if (requireNumbers && !cost && !actual) return null;
  const name = text.slice(0, end).trim();
  if (name === '') return null;
  const raw: RawNode = nodeName(name);
  if (cost) {
    raw['Startup Cost'] = masked(cost[1]);
    raw['Total Cost'] = masked(cost[2]);
    raw['Plan Rows'] = masked(cost[3]);
    raw['Plan Width'] = masked(cost[4]);
  }
  if (actual?.[1] !== undefined) {
    raw['Actual Startup Time'] = masked(actual[1]);
    raw['Actual Total Time'] = masked(actual[2]);
    raw['Actual Rows'] = masked(actual[3]);
    raw['Actual Loops'] = masked(actual[4]);
  } else if (actual?.[5] !== undefined) {
    raw['Actual Rows'] = masked(actual[5]);
    raw['Actual Loops'] = masked(actual[6]);
  } else if (actual?.[7] !== undefined) {
    raw['Actual Startup Time'] = 0;
    raw['Actual Total Time'] = 0;
    raw['Actual Rows'] = 0;
    raw['Actual Loops'] = 0;
  }
  return raw;
}

/** Node names EXPLAIN text prints (explain.c, ExplainNode, PostgreSQL 12–18), before any ` on …`. */
const NODE_NAMES = [
  'Result',
  'ProjectSet',
  'Insert',
  'Update',
  'Delete',
  'Merge',
  'Append',
  'Merge Append',
  'Recursive Union',
  'BitmapAnd',
  'BitmapOr',
  'Nested Loop',
  'Merge Join',
  'Hash Join',
  'Seq Scan',
  'Sample Scan',
  'Gather',
  'Gather Merge',
  'Index Scan',
  'Index Only Scan',
  'Bitmap Index Scan',
  'Bitmap Heap Scan',
  'Tid Scan',
  'Tid Range Scan',
  'Subquery Scan',
  'Function Scan',
  'Table Function Scan',
  'Values Scan',
  'CTE Scan',
  'Named Tuplestore Scan',
  'WorkTable Scan',
  'Foreign Scan',
  'Foreign Insert',
  'Foreign Update',
  'Foreign Delete',
  'Custom Scan',
  'Materialize',
  'Memoize',
  'Result Cache',
  'Sort',
  'Incremental Sort',
  'Group',
  'Aggregate',
  'GroupAggregate',
  'HashAggregate',
  'MixedAggregate',
  'WindowAgg',
  'Unique',
  'SetOp',
  'HashSetOp',
  'LockRows',
  'Limit',
  'Hash',
];
const FIRST_WORDS = new Set(NODE_NAMES.map((n) => n.split(' ')[0]));

/** A node line a terminal may have cut short: a node name, then EXPLAIN's two spaces and `(`. */
export function startsLikeNodeLine(text: string): boolean {
  const cut = text.indexOf('  (');
  return cut > 0 && looksLikeNodeName(text.slice(0, cut));
}

/** Whether a line (no arrow) names a plan node even without costs: `Seq Scan on t`, `Hash Left Join`. */
export function looksLikeNodeName(text: string): boolean {
  let s = text;
  for (const prefix of ['Partial ', 'Finalize ', 'Parallel ', 'Async '])
    if (s.startsWith(prefix)) s = s.slice(prefix.length);
  const word = s.split(' ', 1)[0];
  if (!FIRST_WORDS.has(word)) return false;
  if (s.includes(': ') || s.endsWith(':')) return false; // a detail line such as `Hash Cond: …`
  const raw = nodeName(s);
  const type = String(raw['Node Type']);
  return type !== s || NODE_NAMES.includes(s);
}

const SCANS_ON =
  /^(Seq Scan|Sample Scan|Tid Scan|Tid Range Scan|Subquery Scan|Function Scan|Table Function Scan|Values Scan|CTE Scan|Named Tuplestore Scan|WorkTable Scan|Foreign Scan|Bitmap Heap Scan)(?: on (.+))?$/;
const JOIN =
  /^(Nested Loop|Hash|Merge)(?: (Left|Right|Full|Semi|Anti|Right Semi|Right Anti|Left Semi|Left Anti))?( Join)?$/;
const AGG: Record<string, string> = {
  Aggregate: 'Plain',
  HashAggregate: 'Hashed',
  GroupAggregate: 'Sorted',
  MixedAggregate: 'Mixed',
};

/** `Partial HashAggregate`, `Hash Left Join`, `Index Only Scan Backward using i on t x`, … → JSON fields. */
export function nodeName(label: string): RawNode {
  const raw: RawNode = {};
  let s = label.trim();
  const partial = /^(Partial|Finalize) (.+)$/.exec(s);
  if (partial && /Aggregate$/.test(partial[2])) {
    raw['Partial Mode'] = partial[1];
    s = partial[2];
  }
  raw['Parallel Aware'] = false;
  if (s.startsWith('Parallel ')) {
    raw['Parallel Aware'] = true;
    s = s.slice('Parallel '.length);
  }
  if (s.startsWith('Async ')) {
    raw['Async Capable'] = true;
    s = s.slice('Async '.length);
  }
  let m: RegExpExecArray | null;
  if ((m = /^(Index Scan|Index Only Scan)( Backward)? using (\S+|"[^"]+") on (.+)$/.exec(s))) {
    raw['Node Type'] = m[1];
    raw['Scan Direction'] = m[2] ? 'Backward' : 'Forward';
    raw['Index Name'] = unquote(m[3]);
    Object.assign(raw, relationAndAlias(m[4]));
  } else if ((m = /^Bitmap Index Scan on (.+)$/.exec(s))) {
    raw['Node Type'] = 'Bitmap Index Scan';
    raw['Index Name'] = unquote(m[1]);
  } else if ((m = /^Custom Scan \((.+?)\)(?: on (.+))?$/.exec(s))) {
    raw['Node Type'] = 'Custom Scan';
    raw['Custom Plan Provider'] = m[1];
    if (m[2]) Object.assign(raw, relationAndAlias(m[2]));
  } else if ((m = SCANS_ON.exec(s))) {
    raw['Node Type'] = m[1];
    if (m[2]) {
      const ra = relationAndAlias(m[2]);
      if (m[1] === 'CTE Scan') {
        raw['CTE Name'] = ra['Relation Name'];
        raw.Alias = ra.Alias;
      } else if (m[1] === 'Function Scan') {
        raw['Function Name'] = ra['Relation Name'];
        raw.Alias = ra.Alias;
      } else if (
        m[1] === 'Subquery Scan' ||
        m[1] === 'Values Scan' ||
        m[1] === 'WorkTable Scan' ||
        m[1] === 'Named Tuplestore Scan' ||
        m[1] === 'Table Function Scan'
      ) {
        raw.Alias = ra.Alias;
      } else Object.assign(raw, ra);
    }
  } else if ((m = JOIN.exec(s)) && (m[1] === 'Nested Loop' || m[3])) {
    raw['Node Type'] = m[1] === 'Nested Loop' ? 'Nested Loop' : `${m[1]} Join`;
    raw['Join Type'] = m[2] ?? 'Inner';
  } else if (AGG[s]) {
    raw['Node Type'] = 'Aggregate';
    raw.Strategy = AGG[s];
    raw['Partial Mode'] ??= 'Simple';
  } else if ((m = /^(HashSetOp|SetOp) (.+)$/.exec(s))) {
    raw['Node Type'] = 'SetOp';
    raw.Strategy = m[1] === 'HashSetOp' ? 'Hashed' : 'Sorted';
    raw.Command = m[2];
  } else if ((m = /^(Insert|Update|Delete|Merge) on (.+)$/.exec(s))) {
    raw['Node Type'] = 'ModifyTable';
    raw.Operation = m[1];
    Object.assign(raw, relationAndAlias(m[2]));
  } else raw['Node Type'] = s;
  return raw;
}

/** `public.orders o` / `public."User" u` / `"Odd Name" x` / `orders` → Schema, Relation Name, Alias. */
function relationAndAlias(text: string): { Schema?: string; 'Relation Name': string; Alias: string } {
  const tokens = splitUnquoted(text.trim(), ' ').filter((t) => t !== '');
  const first = tokens[0] ?? text;
  const parts = splitUnquoted(first, '.').map(unquote);
  const name = parts[parts.length - 1] ?? first;
  const out: { Schema?: string; 'Relation Name': string; Alias: string } = {
    'Relation Name': name,
    Alias: tokens[1] ? unquote(tokens[1]) : name,
  };
  if (parts.length > 1) out.Schema = parts[parts.length - 2];
  return out;
}

/** Splits on `sep` outside double-quoted identifiers (`""` inside quotes is a quote). */
function splitUnquoted(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function unquote(s: string): string {
  return /^".*"$/.test(s) ? s.slice(1, -1).replace(/""/g, '"') : s;
}
