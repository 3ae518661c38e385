/**
 * The statement-level lines of EXPLAIN text after the tree (explain.c, ExplainPrintPlan and friends):
 * `Planning Time`, `Execution Time` (9.4–9.6 print them in lower case, ≤ 9.3 `Total runtime`), `Planning:`
 * with its buffers, `JIT:` with its timing, `Trigger …: time=… calls=…`, `Settings:`, `Query Identifier:`,
 * `Serialization:` (17+).
 */
import { applyDetailLine, parseBuffers } from './text-props.js';
import type { RawNode } from './normalise.js';

const TIME_LINE = /^(planning time|execution time|total runtime): ([\d.]+|N\.N) ms$/i;
/** pg_overexplain's statement sections (PostgreSQL 18 contrib) and psql's `\timing` line. */
const OTHER_SECTION = /^(PlannedStmt:|RTI \d+ \(.*\):|Unprunable RTIs:|Result RTIs:|Time: [\d.,]+ ms)/;
const TRIGGER_LINE = /^Trigger (.+?)(?: on (\S+))?: time=([\d.]+) calls=(\d+)$/;

/** Whether the text is a statement-level line (so a line at the root's column is not a new plan). */
export function isFooterLine(text: string): boolean {
  return (
    TIME_LINE.test(text) ||
    text === 'Planning:' ||
    text === 'JIT:' ||
    text.startsWith('Serialization:') ||
    text.startsWith('Settings: ') ||
    text.startsWith('Query Identifier: ') ||
    text.startsWith('Query Text:') ||
    TRIGGER_LINE.test(text) ||
    OTHER_SECTION.test(text)
  );
}

/** Applies a statement-level line; returns the section it opens (`Planning`, `JIT`) or ''. */
export function footerLine(top: RawNode, text: string): string {
  let m: RegExpExecArray | null;
  if ((m = TIME_LINE.exec(text)))
    top[m[1].toLowerCase() === 'planning time' ? 'Planning Time' : 'Execution Time'] =
      m[2] === 'N.N' ? null : Number(m[2]);
  else if (OTHER_SECTION.test(text)) {
    ((top['Statement Details'] ??= []) as string[]).push(text);
    return 'Other';
  } else if (text === 'Planning:') return 'Planning';
  else if (text === 'JIT:') return 'JIT';
  else if (text.startsWith('Serialization:')) {
    const t = /time=([\d.]+)/.exec(text);
    top.Serialization = { ...(t ? { Time: Number(t[1]) } : {}), Text: text.slice(15).trim() };
    return 'Serialization';
  } else if ((m = TRIGGER_LINE.exec(text))) {
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
  else if (text.startsWith('Query Text:')) top['Query Text'] = text.slice('Query Text:'.length).trim();
  return '';
}

/** A line inside a `Planning:`, `JIT:` or `Serialization:` section; false when not understood. */
export function sectionLine(top: RawNode, section: string, text: string): boolean {
  if (section === 'Planning') {
    const planning = (top.Planning ??= {}) as RawNode;
    const b = /^Buffers: (.+)$/.exec(text);
    if (b) Object.assign(planning, parseBuffers(b[1]));
    else return applyDetailLine(planning, text);
    return true;
  }
  if (section === 'JIT') {
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
    } else return false;
    return true;
  }
  if (section === 'Other') {
    ((top['Statement Details'] ??= []) as string[]).push(text);
    return true;
  }
  const ser = (top.Serialization ??= {}) as RawNode;
  return applyDetailLine(ser, text);
}
