/**
 * What people paste around an EXPLAIN result → the plan's own lines, each with its line number in the input.
 * Strips psql's frames (https://www.postgresql.org/docs/current/app-psql.html, `\pset border 0|1|2`,
 * `linestyle ascii|old-ascii|unicode`: the `QUERY PLAN` header, rule lines, side borders, `+`/`↵` newline
 * marks, the `(N rows)` footer), DBeaver's trailing `|` column, pgAdmin's one-quoted-value-per-line export, a
 * CSV-quoted value, and a command, psql prompt, comment or auto_explain log prefix pasted above the plan.
 *
 * Written by hand rather than with regexes over whole lines: every step is a constant number of scans of a
 * line, so a plan 1,000 levels deep (lines with thousands of leading spaces) stays linear in its size.
 */

import { looksLikeNodeName, parseNodeLine, startsLikeNodeLine } from './text-node-line.js';

export interface SourceLine {
  /** 1-based line number in the input. */
  no: number;
  /** The line without frame, quoting or newline marks; leading spaces kept (they are the tree). */
  text: string;
}

export interface CleanInput {
  lines: SourceLine[];
  /** Lines that were dropped as not part of a plan, with why (never dropped silently). */
  warnings: string[];
}

const SIDE_BORDERS = new Set(['|', '│', '║', '┃']);
const RULE_CHARS = new Set([...'-=+─═━┌┐└┘├┤┬┴┼╔╗╚╝╟╢╠╣╞╡╪╤╧╫╬│║┃|']);
const DASHES = new Set([...'-─═━']);

export function cleanPlanInput(input: string): CleanInput {
  const warnings: string[] = [];
  let text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  text = unquoteCsvValue(text);
  let lines: SourceLine[] = text.split('\n').map((t, i) => ({ no: i + 1, text: tabsToSpaces(dropCR(t)) }));
  lines = dropWrappedHeader(lines);
  lines = dropColumnHeaders(lines);
  lines = lines.filter((l) => !isRuleLine(l.text));
  lines = stripSideBorders(lines);
  lines = stripNewlineMarks(lines);
  lines = unquotePerLine(lines);
  lines = lines.filter((l) => !isHeaderOrFooter(l.text.trim()));
  lines = dropLeadingCommand(lines, warnings);
  return { lines, warnings };
}

function dropCR(t: string): string {
  return t.endsWith('\r') ? t.slice(0, -1) : t;
}

/** Tabs (a plan re-indented by an editor) count as the next multiple of 4 columns. */
function tabsToSpaces(t: string): string {
  if (!t.includes('\t')) return t;
  let out = '';
  for (const ch of t) {
    if (ch === '\t') out += ' '.repeat(4 - (out.length % 4));
    else out += ch;
  }
  return out;
}

/** A terminal that wrapped psql's padded header leaves `QUERY PLA` and `N` on two lines above the rule. */
function dropWrappedHeader(lines: SourceLine[]): SourceLine[] {
  const content = lines.filter((l) => l.text.trim() !== '').slice(0, 2);
  if (content.length < 2) return lines;
  const a = content[0].text.trim();
  const b = content[1].text.trim();
  if (a.length < 5 || a === 'QUERY PLAN' || !'QUERY PLAN'.startsWith(a) || `${a}${b}` !== 'QUERY PLAN')
    return lines;
  return lines.filter((l) => l !== content[0] && l !== content[1]);
}

/** psql prints the column's name above the rule: `QUERY PLAN`, or a helper function's name. */
function dropColumnHeaders(lines: SourceLine[]): SourceLine[] {
  const drop = new Set<SourceLine>();
  for (let i = 1; i < lines.length; i++) {
    if (!isRuleLine(lines[i].text)) continue;
    let j = i - 1;
    while (j >= 0 && lines[j].text.trim() === '') j--;
    const h = j >= 0 ? stripBorders(lines[j].text).trim() : '';
    if (h === 'QUERY PLAN' || /^[A-Za-z_]\w*$/.test(h)) drop.add(lines[j]);
  }
  return drop.size ? lines.filter((l) => !drop.has(l)) : lines;
}

function stripBorders(t: string): string {
  let s = t.trim();
  if (SIDE_BORDERS.has(s[0] ?? '')) s = s.slice(1);
  if (SIDE_BORDERS.has(s.slice(-1))) s = s.slice(0, -1);
  return s;
}

/** `----`, `+----+`, `┌──┐`, `╟──╢`: a line of rule characters with a run of dashes. */
function isRuleLine(t: string): boolean {
  const s = t.trim();
  // most lines are plan lines: one look at their first character settles it
  if (s.length < 3 || !RULE_CHARS.has(s[0])) return false;
  let dashes = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === ' ') continue;
    if (!RULE_CHARS.has(ch)) return false;
    if (DASHES.has(ch)) dashes++;
  }
  return dashes >= 3;
}

function isHeaderOrFooter(t: string): boolean {
  if (t === 'QUERY PLAN') return true;
  // `(12 rows)`, `(1 row)`, and in the user's language: `(3 lignes)`, `(3 Zeilen)`
  return /^\(\d+ \p{L}+\)$/u.test(t);
}

/**
 * psql border 2 (`| x |`, `│ x │`, `║ x ║`) and DBeaver's copy (`x   |`): when most lines carry the border,
 * it is the frame, not the plan's.
 */
function stripSideBorders(lines: SourceLine[]): SourceLine[] {
  const content = lines.filter((l) => l.text.trim() !== '');
  if (content.length === 0) return lines;
  const leading = content.filter((l) => SIDE_BORDERS.has(l.text.trimStart()[0] ?? '')).length;
  const trailing = content.filter((l) => SIDE_BORDERS.has(l.text.trimEnd().slice(-1))).length;
  const stripLead = leading >= content.length * 0.8;
  const stripTrail = trailing >= content.length * 0.8;
  if (!stripLead && !stripTrail) return lines;
  return lines.map((l) => {
    let t = l.text;
    if (stripLead) {
      const s = t.trimStart();
      if (SIDE_BORDERS.has(s[0] ?? '')) t = s.slice(1).startsWith(' ') ? s.slice(2) : s.slice(1);
    }
    if (stripTrail) {
      const e = t.trimEnd();
      if (SIDE_BORDERS.has(e.slice(-1))) t = e.slice(0, -1);
    }
    return { no: l.no, text: t };
  });
}

/** psql marks a value's own newlines with `+` (ascii) or `↵` (unicode) at the end of the line. */
function stripNewlineMarks(lines: SourceLine[]): SourceLine[] {
  const marked = lines.filter((l) => {
    const e = l.text.trimEnd();
    return e.endsWith('+') || e.endsWith('↵');
  }).length;
  if (marked < 2 && !(marked === 1 && lines.length <= 3)) return lines;
  return lines.map((l) => {
    const e = l.text.trimEnd();
    return e.endsWith('+') || e.endsWith('↵') ? { no: l.no, text: e.slice(0, -1).trimEnd() } : l;
  });
}

/** pgAdmin's export: every line `"…"`, inner quotes doubled. */
function unquotePerLine(lines: SourceLine[]): SourceLine[] {
  const content = lines.filter((l) => l.text.trim() !== '');
  const quoted = content.filter((l) => l.text.trimStart().startsWith('"'));
  if (content.length === 0 || quoted.length < content.length * 0.8) return lines;
  // a JSON plan also has lines starting with `"` ("Node Type": …) but they do not end with one
  const closed = quoted.filter((l) => l.text.trimEnd().endsWith('"') && l.text.trim().length > 1).length;
  if (closed < quoted.length * 0.8 - 1) return lines;
  return lines.map((l) => {
    let t = l.text.trim();
    if (!t.startsWith('"')) return l;
    t = t.slice(1);
    if (t.endsWith('"') && !t.endsWith('""')) t = t.slice(0, -1);
    else if (t.endsWith('"""')) t = t.slice(0, -1);
    return { no: l.no, text: t.replaceAll('""', '"') };
  });
}

/** A CSV cell holding the whole result: `"[ { ""Plan"": … } ]"` or `"Seq Scan …\n  Filter: …"`. */
function unquoteCsvValue(text: string): string {
  const t = text.trim();
  if (t.length < 2 || t[0] !== '"' || t[t.length - 1] !== '"') return text;
  const inner = t.slice(1, -1);
  // one cell: every quote inside is doubled
  let i = inner.indexOf('"');
  while (i >= 0) {
    if (inner[i + 1] !== '"') return text;
    i = inner.indexOf('"', i + 2);
  }
  if (inner.includes('"\n"')) return text;
  return inner.replaceAll('""', '"');
}

/**
 * Lines before the plan: the command that produced it (`EXPLAIN (ANALYZE) SELECT …;`, `SET …;`, a psql
 * prompt), psql's command tags and timing (`DROP TABLE`, `Time: 1.2 ms`), comments, prose, an auto_explain
 * log prefix (`… LOG:  duration: 12.3 ms  plan:`). The plan starts at the first line that can only be a plan's:
 * JSON/XML/YAML, `Query Text:`, a node line with costs or actuals, or a node name with details under it.
 */
function dropLeadingCommand(lines: SourceLine[], warnings: string[]): SourceLine[] {
  const start = lines.findIndex((l, i) => isPlanStart(lines, i));
  if (start <= 0) return lines;
  const dropped = lines.slice(0, start).filter((l) => l.text.trim() !== '');
  if (dropped.length > 0)
    warnings.push(
      `line${dropped.length > 1 ? 's' : ''} ${lineRange(dropped)}: not part of the plan (${describe(dropped)}), skipped`,
    );
  return lines.slice(start);
}

function isPlanStart(lines: SourceLine[], i: number): boolean {
  const t = lines[i].text.trim();
  if (t === '') return false;
  if (t === '[' || t === '{' || t.startsWith('[{') || t.startsWith('{"') || t.startsWith('[ {')) return true;
  if (t.startsWith('<explain') || t.startsWith('<?xml') || t.startsWith('- Plan:')) return true;
  if (t.startsWith('Query Text:')) return true;
  const text = t.startsWith('->') ? t.slice(2).trimStart() : t;
  if (parseNodeLine(text, true) || startsLikeNodeLine(text)) return true;
  if (!looksLikeNodeName(text)) return false;
  const next = lines.slice(i + 1).find((l) => l.text.trim() !== '');
  return !next || indent(next.text) > indent(lines[i].text);
}

function describe(dropped: SourceLine[]): string {
  const first = dropped[0].text.trim();
  if (/^(explain|set|select|with|create|drop|insert|update|delete)\b/i.test(first)) return 'a command';
  if (first.startsWith('--') || first.startsWith('/*') || first.startsWith('#')) return 'a comment';
  if (first.includes('duration:')) return 'a log line';
  return 'text above it';
}

const indent = (t: string) => t.length - t.trimStart().length;

export function lineRange(lines: SourceLine[]): string {
  const first = lines[0].no;
  const last = lines[lines.length - 1].no;
  return first === last ? `${first}` : `${first}–${last}`;
}
