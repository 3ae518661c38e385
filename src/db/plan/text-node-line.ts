/**
 * One node line of EXPLAIN text, e.g.
 *   `->  Parallel Index Scan Backward using orders_pkey on orders o  (cost=0.29..8.31 rows=1 width=8) (actual time=0.010..0.011 rows=1.00 loops=3)`
 * → the JSON fields PostgreSQL would have printed (`Node Type`, `Index Name`, `Actual Rows`, …).
 * Names as printed by explain.c's ExplainNode (PostgreSQL 12–18).
 */
import type { RawNode } from './normalise.js';

const COST = String.raw`\(cost=(-?[\d.]+)\.\.(-?[\d.]+) rows=([\d.]+) width=(\d+)\)`;
const ACTUAL = String.raw`\((?:actual time=([\d.]+)\.\.([\d.]+) rows=([\d.]+) loops=(\d+)|actual rows=([\d.]+) loops=(\d+)|(never executed))\)`;
const NODE_RE = new RegExp(String.raw`^(.*?\S)\s*(?:${COST})?\s*(?:${ACTUAL})?\s*$`);

/** Parses `name (cost…) (actual…)`; returns null when the line carries neither costs nor actuals. */
export function parseNodeLine(text: string, requireNumbers: boolean): RawNode | null {
  const m = NODE_RE.exec(text);
  if (!m) return null;
  const hasCost = m[2] !== undefined;
  const hasActual = m[6] !== undefined || m[10] !== undefined || m[12] !== undefined;
  if (requireNumbers && !hasCost && !hasActual) return null;
  const raw: RawNode = nodeName(m[1]);
  if (hasCost) {
    raw['Startup Cost'] = Number(m[2]);
    raw['Total Cost'] = Number(m[3]);
    raw['Plan Rows'] = Number(m[4]);
    raw['Plan Width'] = Number(m[5]);
  }
  if (m[6] !== undefined) {
    raw['Actual Startup Time'] = Number(m[6]);
    raw['Actual Total Time'] = Number(m[7]);
    raw['Actual Rows'] = Number(m[8]);
    raw['Actual Loops'] = Number(m[9]);
  } else if (m[10] !== undefined) {
    raw['Actual Rows'] = Number(m[10]);
    raw['Actual Loops'] = Number(m[11]);
  } else if (m[12] !== undefined) {
    raw['Actual Startup Time'] = 0;
    raw['Actual Total Time'] = 0;
    raw['Actual Rows'] = 0;
    raw['Actual Loops'] = 0;
  }
  return raw;
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

/** `public.orders o` / `"Odd Name" x` / `orders` → Schema, Relation Name, Alias. */
function relationAndAlias(text: string): { Schema?: string; 'Relation Name': string; Alias: string } {
  const tokens = [
    ...text.matchAll(
      /"(?:[^"]|"")*"(?:\.(?:"(?:[^"]|"")*"|[^\s."]+))?|[^\s"]+(?:\.(?:"(?:[^"]|"")*"|[^\s."]+))?/g,
    ),
  ].map((t) => t[0]);
  const first = tokens[0] ?? text;
  const parts = [...first.matchAll(/"(?:[^"]|"")*"|[^."]+/g)].map((p) => unquote(p[0]));
  const name = parts[parts.length - 1] ?? first;
  const out: { Schema?: string; 'Relation Name': string; Alias: string } = {
    'Relation Name': name,
    Alias: tokens[1] ? unquote(tokens[1]) : name,
  };
  if (parts.length > 1) out.Schema = parts[parts.length - 2];
  return out;
}

function unquote(s: string): string {
  return /^".*"$/.test(s) ? s.slice(1, -1).replace(/""/g, '"') : s;
}
