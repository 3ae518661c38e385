/**
 * EXPLAIN text format → Plans (PostgreSQL 9.x–18). Format reference:
 * https://www.postgresql.org/docs/current/using-explain.html (and explain.c, which prints it).
 *
 * The tree is given by the `->` arrows: a node line starts with `->` (a root has none), and a line belongs to
 * the nearest node above it whose arrow is left of it. Only that order matters, not exact columns, so a plan
 * whose indentation drifted (tabs, an editor, a root pasted at column 0 while the rest keeps psql's one-space
 * margin) reads the same. `InitPlan n` / `SubPlan n` / `CTE name` headers introduce the children below them;
 * statement-level lines (`Planning Time`, `JIT:`, `Trigger …`, `Execution Time`) are recognised by their text.
 * A node line at the root's column after the first root starts the next plan of a multi-plan output (a
 * statement a rule rewrote into several). A line that cannot be placed is reported with its line number:
 * as a warning when the tree is still right, as an error (exit 2) when it would not be.
 */
import { PerfloopError } from '../../core/errors.js';
import type { SourceLine } from './clean-input.js';
import { normaliseExplain, type RawNode } from './normalise.js';
import { footerLine, isFooterLine, sectionLine } from './text-footer.js';
import { logicalLines, type LogicalLine } from './text-lines.js';
import { applyDetailLine } from './text-props.js';
import { looksLikeNodeName, parseNodeLine } from './text-node-line.js';
import type { Plan } from './types.js';

interface Entry {
  /** Lines right of this column belong to this entry (a node's arrow column, a header's column). */
  anchor: number;
  kind: 'node' | 'header' | 'worker';
  raw: RawNode;
  /** header: the node it hangs under; worker: the node it belongs to */
  owner?: RawNode;
  header?: string;
}

interface PlanInProgress {
  top: RawNode;
  rootCol: number;
  stack: Entry[];
  /** Open statement-level section (Planning:, JIT:) and its column. */
  section: { name: string; col: number } | null;
}

export interface TextPlans {
  plans: Plan[];
  warnings: string[];
  /** Input line where each plan starts. */
  startLines: number[];
}

export function plansFromText(lines: readonly SourceLine[], signal?: AbortSignal): TextPlans {
  const warnings: string[] = [];
  const logical = logicalLines(lines);
  const done: RawNode[] = [];
  const startLines: number[] = [];
  let cur: PlanInProgress | null = null;
  let queryText: string | null = null;
  for (let i = 0; i < logical.length; i++) {
    if ((i & 1023) === 0) signal?.throwIfAborted();
    const line = logical[i];
    if (line.joined > 1 && !line.text.startsWith('Query Text:'))
      warnings.push(`lines ${line.no}–${line.no + line.joined - 1}: one wrapped line, joined`);
    if (line.text.startsWith('Query Text:') && (!cur || line.col <= cur.rootCol + 1)) {
      // auto_explain prints the query above its plan: it starts the next plan
      if (cur) done.push(finish(cur));
      cur = null;
      queryText = line.text.slice('Query Text:'.length).trim();
      continue;
    }
    if (!cur) {
      cur = startPlan(line);
      startLines.push(line.no);
      if (queryText !== null) cur.top['Query Text'] = queryText;
      queryText = null;
      continue;
    }
    if (line.col <= cur.rootCol + 1 && isFooterLine(line.text)) {
      const opened = footerLine(cur.top, line.text);
      cur.section = opened ? { name: opened, col: line.col } : null;
      continue;
    }
    if (cur.section && line.col > cur.section.col && !line.text.startsWith('->')) {
      if (!sectionLine(cur.top, cur.section.name, line.text))
        warnings.push(`line ${line.no}: "${clip(line.text)}" not understood in ${cur.section.name}, skipped`);
      continue;
    }
    cur.section = null;
    if (line.col <= cur.rootCol + 1 && !line.text.startsWith('->') && isNodeLine(line.text)) {
      done.push(finish(cur));
      cur = startPlan(line);
      startLines.push(line.no);
      continue;
    }
    if (line.col <= cur.rootCol && !line.text.startsWith('->')) {
      warnings.push(`line ${line.no}: "${clip(line.text)}" is not part of the plan above it, skipped`);
      continue;
    }
    placeLine(cur, line, warnings);
  }
  if (cur) done.push(finish(cur));
  if (done.length === 0) throw notAPlan(null);
  return { plans: done.map((top) => normaliseExplain(top, 'text')), warnings, startLines };
}

function isNodeLine(text: string): boolean {
  return parseNodeLine(text, true) !== null || looksLikeNodeName(text);
}

function startPlan(line: LogicalLine): PlanInProgress {
  const text = line.text.startsWith('->') ? line.text.slice(2).trimStart() : line.text;
  const root = isNodeLine(text) ? parseNodeLine(text, false) : null;
  if (!root) throw notAPlan(line);
  const top: RawNode = { Triggers: [] as RawNode[], Plan: root };
  // children's arrows and the root's details sit right of the root's first column
  return { top, rootCol: line.col, stack: [{ anchor: line.col, kind: 'node', raw: root }], section: null };
}

function placeLine(p: PlanInProgress, line: LogicalLine, warnings: string[]): void {
  const { stack } = p;
  const col = line.col;
  const text = line.text;
  while (stack.length > 1 && stack[stack.length - 1].anchor >= col) stack.pop();
  if (text.startsWith('->')) {
    if (col <= p.rootCol)
      warnings.push(
        `line ${line.no}: "${clip(text)}" is left of the root's column: read as a child of the root`,
      );
    const node = parseNodeLine(text.slice(2).trimStart(), false);
    if (!node) throw cannotPlace(line, 'a node line without a node name');
    const parentEntry = stack[stack.length - 1];
    let parent = parentEntry.raw;
    if (parentEntry.kind === 'header') {
      node['Parent Relationship'] = parentEntry.header!.startsWith('SubPlan') ? 'SubPlan' : 'InitPlan';
      node['Subplan Name'] = parentEntry.header;
      parent = parentEntry.owner!;
    } else if (parentEntry.kind === 'worker') parent = parentEntry.owner!;
    ((parent.Plans ??= []) as RawNode[]).push(node);
    stack.push({ anchor: col, kind: 'node', raw: node });
    return;
  }
  const owner = stack[stack.length - 1];
  const ownerNode = owner.kind === 'node' ? owner.raw : owner.owner!;
  if (/^(InitPlan \d+|SubPlan \d+|CTE \S)/.test(text)) {
    stack.push({ anchor: col, kind: 'header', raw: {}, owner: ownerNode, header: text });
    return;
  }
  const worker = /^Worker (\d+):\s*(.*)$/.exec(text);
  if (worker) {
    const w: RawNode = { 'Worker Number': Number(worker[1]) };
    applyWorkerDetails(w, worker[2]);
    ((ownerNode.Workers ??= []) as RawNode[]).push(w);
    stack.push({ anchor: col, kind: 'worker', raw: w, owner: ownerNode });
    return;
  }
  const target = owner.kind === 'worker' ? owner.raw : ownerNode;
  // a ModifyTable over a partitioned or inherited table lists each target: `Update on child c_1`
  const modified = /^(Foreign )?(Insert|Update|Delete|Merge) on (.+)$/.exec(text);
  if (modified && target['Node Type'] === 'ModifyTable') {
    ((target['Target Tables'] ??= []) as string[]).push(text);
    return;
  }
  if (!applyDetailLine(target, text)) {
    ((target['Unparsed Lines'] ??= []) as string[]).push(text);
    warnings.push(`line ${line.no}: "${clip(text)}" not understood, kept as text under its node`);
  }
}

function finish(p: PlanInProgress): RawNode {
  inferRelationships(p.top.Plan as RawNode);
  return p.top;
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
function inferRelationships(root: RawNode): void {
  // iterative: a plan can be thousands of levels deep
  const todo: RawNode[] = [root];
  while (todo.length) {
    const n = todo.pop()!;
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
      todo.push(c);
    }
  }
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}…` : s);

function notAPlan(line: LogicalLine | null): PerfloopError {
  return new PerfloopError(
    'PLAN_INVALID',
    line
      ? `not an EXPLAIN plan: line ${line.no} ("${clip(line.text)}") is not a plan node`
      : 'not an EXPLAIN plan: no plan node found',
    { hint: 'pass the output of EXPLAIN (ANALYZE, BUFFERS) in text, JSON, YAML or XML format' },
  );
}

function cannotPlace(line: LogicalLine, why: string): PerfloopError {
  return new PerfloopError('PLAN_INVALID', `line ${line.no}: cannot place "${clip(line.text)}" (${why})`, {
    hint: 'paste the plan as EXPLAIN printed it',
  });
}
