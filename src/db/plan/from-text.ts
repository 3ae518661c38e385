/**
 * EXPLAIN text format → Plan (PostgreSQL 12–18). The tree is given by indentation: a node line starts with
 * `->` (the root has none), its detail lines sit two columns right of its name, `InitPlan n` / `SubPlan n` /
 * `CTE name` headers introduce the child below them, and the lines after the tree (`Planning Time`, `JIT:`,
 * `Trigger …`, `Execution Time`) are at the root's column. Accepts psql's frame and auto_explain's log form.
 * Format reference: https://www.postgresql.org/docs/current/using-explain.html
 */
import { PerfloopError } from '../../core/errors.js';
import { stripPsqlFrame } from './from-json.js';
import { normaliseExplain, type RawNode } from './normalise.js';
import { applyDetailLine, parseBuffers } from './text-props.js';
import { parseNodeLine } from './text-node-line.js';
import type { Plan } from './types.js';

interface Entry {
  col: number;
  kind: 'node' | 'header' | 'worker';
  raw: RawNode;
  /** header: the node it hangs under; worker: the node it belongs to */
  owner?: RawNode;
  header?: string;
}

const KNOWN_ROOT =
  /^(Partial |Finalize )?(Parallel )?(Seq Scan|Index|Bitmap|Nested Loop|Hash|Merge|Aggregate|HashAggregate|GroupAggregate|MixedAggregate|Sort|Incremental Sort|Limit|Gather|Result|Append|Unique|Materialize|Memoize|WindowAgg|Group|SetOp|HashSetOp|LockRows|ProjectSet|Subquery Scan|Function Scan|Values Scan|CTE Scan|Foreign Scan|Custom Scan|Tid|Sample Scan|Recursive Union|Insert|Update|Delete|Merge|BitmapAnd|BitmapOr)/;

export function planFromText(input: string): Plan {
  const lines = stripPsqlFrame(input)
    .split('\n')
    .map((l) =>
      l
        .replace(/^\s*"(.*)"\s*$/, '$1')
        .replace(/^\t+/, (t) => '    '.repeat(t.length))
        .replace(/\s+$/, ''),
    )
    .filter((l) => l.trim() !== '');
  const top: RawNode = { Triggers: [] as RawNode[] };
  let i = 0;
  if (lines[0]?.trim().startsWith('Query Text:')) {
    top['Query Text'] = lines[0].trim().slice('Query Text:'.length).trim();
    i = 1;
  }
  const rootLine = lines[i];
  if (rootLine === undefined) throw notAPlan();
  const rootCol = indentOf(rootLine);
  const rootText = rootLine.trim().replace(/^->\s+/, '');
  const root = parseNodeLine(rootText, !KNOWN_ROOT.test(rootText));
  if (!root) throw notAPlan();
  top.Plan = root;
  const stack: Entry[] = [{ col: rootCol, kind: 'node', raw: root }];
  let footer: string | null = null;
  for (i = i + 1; i < lines.length; i++) {
    const line = lines[i];
    const col = indentOf(line);
    const text = line.trim();
    if (col <= rootCol) {
      footer = footerLine(top, text);
      continue;
    }
    if (footer !== null) {
      sectionLine(top, footer, text);
      continue;
    }
    const arrow = /^->\s+/.exec(text);
    if (arrow) {
      while (stack.length > 1 && stack[stack.length - 1].col >= col) stack.pop();
      const node = parseNodeLine(text.slice(arrow[0].length), false)!;
      const parentEntry = stack[stack.length - 1];
      let parent = parentEntry.raw;
      if (parentEntry.kind === 'header') {
        node['Parent Relationship'] = parentEntry.header!.startsWith('SubPlan') ? 'SubPlan' : 'InitPlan';
        node['Subplan Name'] = parentEntry.header;
        parent = parentEntry.owner!;
      } else if (parentEntry.kind === 'worker') parent = parentEntry.owner!;
      ((parent.Plans ??= []) as RawNode[]).push(node);
      stack.push({ col: col + arrow[0].length, kind: 'node', raw: node });
      continue;
    }
    while (stack.length > 1 && stack[stack.length - 1].col >= col) stack.pop();
    const owner = stack[stack.length - 1];
    const ownerNode = owner.kind === 'node' ? owner.raw : owner.owner!;
    if (/^(InitPlan \d+|SubPlan \d+|CTE \S)/.test(text)) {
      stack.push({ col, kind: 'header', raw: {}, owner: ownerNode, header: text });
      continue;
    }
    const worker = /^Worker (\d+):\s*(.*)$/.exec(text);
    if (worker) {
      const w: RawNode = { 'Worker Number': Number(worker[1]) };
      applyWorkerDetails(w, worker[2]);
      ((ownerNode.Workers ??= []) as RawNode[]).push(w);
      stack.push({ col, kind: 'worker', raw: w, owner: ownerNode });
      continue;
    }
    applyDetailLine(owner.kind === 'worker' ? owner.raw : ownerNode, text);
  }
  inferRelationships(root);
  return normaliseExplain(top, 'text');
}

/** A line at the root's column after the tree; returns the section it opens (Planning:, JIT:) or ''. */
function footerLine(top: RawNode, text: string): string {
  let m: RegExpExecArray | null;
  if (
    (m = /^(Planning|Execution) Time: ([\d.]+) ms$/.exec(text)) ||
    (m = /^Total (runtime): ([\d.]+) ms$/.exec(text))
  )
    top[m[1] === 'Planning' ? 'Planning Time' : 'Execution Time'] = Number(m[2]);
  else if (text === 'Planning:') return 'Planning';
  else if (text === 'JIT:') return 'JIT';
  else if ((m = /^Trigger (.+?)(?: on (\S+))?: time=([\d.]+) calls=(\d+)$/.exec(text))) {
    const forConstraint = /^for constraint (.+)$/.exec(m[1]);
    (top.Triggers as RawNode[]).push({
      'Trigger Name': forConstraint ? `RI_ConstraintTrigger for ${forConstraint[1]}` : m[1],
      ...(forConstraint ? { 'Constraint Name': forConstraint[1] } : {}),
      ...(m[2] ? { Relation: m[2] } : {}),
      Time: Number(m[3]),
      Calls: Number(m[4]),
    });
  } else if ((m = /^Settings: (.+)$/.exec(text))) {
    top.Settings = Object.fromEntries(
      [...m[1].matchAll(/([\w.]+) = '((?:[^']|'')*)'/g)].map((s) => [s[1], s[2].replace(/''/g, "'")]),
    );
  } else if ((m = /^Query Identifier: (-?\d+)$/.exec(text))) top['Query Identifier'] = m[1];
  else if ((m = /^Query Text: (.*)$/.exec(text))) top['Query Text'] = m[1];
  return '';
}

function sectionLine(top: RawNode, section: string, text: string): void {
  if (section === 'Planning') {
    const planning = (top.Planning ??= {}) as RawNode;
    const b = /^Buffers: (.+)$/.exec(text);
    if (b) Object.assign(planning, parseBuffers(b[1]));
    else applyDetailLine(planning, text);
  } else if (section === 'JIT') {
    const jit = (top.JIT ??= {}) as RawNode;
    let m: RegExpExecArray | null;
    if ((m = /^Functions: (\d+)$/.exec(text))) jit.Functions = Number(m[1]);
    else if (text.startsWith('Timing:')) {
      const timing: RawNode = {};
      for (const [, k, v] of text.matchAll(/(Generation|Inlining|Optimization|Emission|Total) ([\d.]+) ms/g))
        timing[k] = Number(v);
      jit.Timing = timing;
    } else if ((m = /^Options: (.+)$/.exec(text))) {
      jit.Options = Object.fromEntries(
        [...m[1].matchAll(/(\w+) (true|false)/g)].map((o) => [o[1], o[2] === 'true']),
      );
    }
  }
}

/** `actual time=0.1..2.0 rows=10 loops=1` and/or `Sort Method: external merge  Disk: 2384kB`. */
function applyWorkerDetails(w: RawNode, rest: string): void {
  const a = /actual time=([\d.]+)\.\.([\d.]+) rows=([\d.]+) loops=(\d+)/.exec(rest);
  if (a)
    Object.assign(w, {
      'Actual Startup Time': +a[1],
      'Actual Total Time': +a[2],
      'Actual Rows': +a[3],
      'Actual Loops': +a[4],
    });
  const after = rest.replace(/actual time=\S+ rows=\S+ loops=\d+/, '').trim();
  if (after) applyDetailLine(w, after);
}

/** Text omits `Parent Relationship` for ordinary children; JSON has it, and the rules need Inner/Outer. */
function inferRelationships(n: RawNode): void {
  const kids = (n.Plans as RawNode[] | undefined) ?? [];
  const type = String(n['Node Type']);
  let k = 0;
  for (const c of kids) {
    if (!c['Parent Relationship']) {
      if (/^(Append|Merge Append|BitmapAnd|BitmapOr)$/.test(type)) c['Parent Relationship'] = 'Member';
      else if (type === 'Subquery Scan') c['Parent Relationship'] = 'Subquery';
      else c['Parent Relationship'] = k === 0 ? 'Outer' : 'Inner';
      k++;
    }
    inferRelationships(c);
  }
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function notAPlan(): PerfloopError {
  return new PerfloopError('PLAN_INVALID', 'not an EXPLAIN plan: no plan node found', {
    hint: 'pass the output of EXPLAIN (ANALYZE, BUFFERS) in text or JSON format',
  });
}
