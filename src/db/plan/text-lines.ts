/**
 * Cleaned input lines → logical lines of EXPLAIN text: a line a terminal wrapped is joined back to the line it
 * continues, and a multi-line auto_explain `Query Text:` becomes one line. Each logical line keeps the number
 * of its first input line, its column (the tree) and its text.
 *
 * A physical line continues the previous one when it cannot start a plan line: EXPLAIN text lines start with
 * `->`, an upper-case word (node names, `Key: value` details, `Worker 0:`) or pg_overexplain's camel-case keys;
 * or when the previous line left a parenthesis open (`(actual time=0.5` … `24..0.525 rows=0 loops=1)`).
 * A blank line ends a logical line (terminals never wrap into an empty line).
 */
import type { SourceLine } from './clean-input.js';
import { looksLikeNodeName, parseNodeLine } from './text-node-line.js';

export interface LogicalLine {
  no: number;
  col: number;
  text: string;
  /** Preceded by a blank line (psql separates the plans of one statement by one). */
  afterBlank: boolean;
  /** How many input lines were joined into this one. */
  joined: number;
}

export function logicalLines(lines: readonly SourceLine[]): LogicalLine[] {
  const out: LogicalLine[] = [];
  let cur: { no: number; raw: string; afterBlank: boolean; joined: number } | null = null;
  let query: { line: LogicalLine; col: number } | null = null;
  let blank = false;
  const flush = () => {
    if (cur) out.push(toLogical(cur));
    cur = null;
  };
  for (const l of lines) {
    const trimmed = l.text.trim();
    if (trimmed === '') {
      flush();
      blank = true;
      continue;
    }
    const col = indentOf(l.text);
    if (query) {
      if (endsQueryText(trimmed, col, query.col)) query = null;
      else {
        query.line.text += `\n${trimmed}`;
        query.line.joined++;
        continue;
      }
    }
    if (cur && continues(cur.raw, trimmed)) {
      // a terminal wraps at its width: inside a word the parts join directly, at a space with one space
      const spaced = /\s$/.test(cur.raw) || l.text.startsWith(' ');
      cur.raw = spaced ? `${cur.raw.trimEnd()} ${l.text.trimStart()}` : `${cur.raw}${l.text}`;
      cur.joined++;
      continue;
    }
    flush();
    if (trimmed.startsWith('Query Text:')) {
      const line: LogicalLine = { no: l.no, col, text: trimmed, afterBlank: blank, joined: 1 };
      out.push(line);
      query = { line, col };
      blank = false;
      continue;
    }
    cur = { no: l.no, raw: l.text, afterBlank: blank, joined: 1 };
    blank = false;
  }
  flush();
  return out;
}

function toLogical(c: { no: number; raw: string; afterBlank: boolean; joined: number }): LogicalLine {
  return { no: c.no, col: indentOf(c.raw), text: c.raw.trim(), afterBlank: c.afterBlank, joined: c.joined };
}

function continues(prevRaw: string, next: string): boolean {
  if (openParens(prevRaw) > 0) return true;
  return !canStartLine(next);
}

function canStartLine(t: string): boolean {
  const c = t.charCodeAt(0);
  if (t.startsWith('->')) return true;
  if (c >= 65 && c <= 90) return true; // A–Z
  if (c === 0x22 || c === 0x5b || c === 0x7b) return true; // " [ { (a JSON or quoted value)
  // pg_overexplain: `extParam: 0`, `allParam: 0`
  return /^[a-z]+[A-Z][A-Za-z]*: /.test(t);
}

/** Parentheses opened and not closed, outside '…' literals and "…" identifiers. */
function openParens(s: string): number {
  let depth = 0;
  let quote = '';
  for (let i = indentOf(s); i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
  }
  return quote ? 0 : depth;
}

/** The query of `Query Text:` runs until the plan's root: a node line at the query's column or left of it. */
function endsQueryText(t: string, col: number, queryCol: number): boolean {
  if (col > queryCol + 1) return false;
  if (parseNodeLine(t, true)) return true;
  return col <= queryCol && looksLikeNodeName(t);
}

export function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}
