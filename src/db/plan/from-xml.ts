/**
 * EXPLAIN (FORMAT XML) → Plans. Schema: https://www.postgresql.org/media/xml/explain.xsd (namespace
 * http://www.postgresql.org/2009/explain); explain.c writes each JSON key as an element whose name has every
 * character outside [A-Za-z0-9_.-] replaced by `-` (`Node Type` → `Node-Type`, `I/O Read Time` →
 * `I-O-Read-Time`), lists as `<Item>` children, and `Plans`/`Workers`/`Triggers` as repeated children.
 *
 * A small reader of its own rather than a general XML library: EXPLAIN's XML has no attributes that matter,
 * no CDATA and only the five predefined entities, and reading it straight into the JSON shape takes one
 * linear scan.
 */
import { PerfloopError } from '../../core/errors.js';
import { normaliseExplain, type RawNode } from './normalise.js';
import type { Plan } from './types.js';

interface Element {
  name: string;
  children: Element[];
  text: string;
}

export function plansFromXmlText(text: string): Plan[] {
  const root = parseXml(text);
  const explain = root.children.find((c) => localName(c.name) === 'explain') ?? root;
  const queries = explain.children.filter((c) => localName(c.name) === 'Query');
  if (queries.length === 0)
    throw new PerfloopError('PLAN_INVALID', 'not an EXPLAIN plan: the XML has no <Query>', {
      hint: 'use EXPLAIN (FORMAT XML)',
    });
  return queries.map((q) => {
    const raw = toValue(q) as RawNode;
    if (!raw || typeof raw !== 'object' || !('Plan' in raw))
      throw new PerfloopError('PLAN_INVALID', 'not an EXPLAIN plan: the XML has no <Plan>');
    return normaliseExplain(raw, 'xml');
  });
}

const LISTS: Record<string, string> = { Plans: 'Plan', Workers: 'Worker', Triggers: 'Trigger' };
/** JSON keys whose XML name cannot be turned back by replacing `-` with a space. */
const KEYS: Record<string, string> = {
  'Full-sort-Groups': 'Full-sort Groups',
  'Pre-sorted-Groups': 'Pre-sorted Groups',
};

function keyOf(xmlName: string): string {
  const n = localName(xmlName);
  return KEYS[n] ?? n.replace(/^I-O-/, 'I/O ').replace(/-I-O-/, ' I/O ').replaceAll('-', ' ');
}

function toValue(e: Element): unknown {
  if (e.children.length === 0) return scalar(e.text);
  const list = LISTS[localName(e.name)];
  if (list || e.children.every((c) => localName(c.name) === 'Item'))
    return e.children.map((c) => (list ? toValue(c) : scalar(c.text)));
  const out: RawNode = {};
  for (const c of e.children) out[keyOf(c.name)] = toValue(c);
  return out;
}

function scalar(t: string): unknown {
  const s = t.trim();
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  return s;
}

const localName = (n: string) => n.slice(n.indexOf(':') + 1);

/** Elements and text of a document (declarations, comments and attributes skipped). */
function parseXml(text: string): Element {
  const doc: Element = { name: '#document', children: [], text: '' };
  const stack: Element[] = [doc];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.trim() !== '') stack[stack.length - 1].text += decode(chunk);
    if (lt < 0) break;
    const gt = text.indexOf('>', lt);
    if (gt < 0) throw xmlError('a tag is not closed');
    const tag = text.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('?') || tag.startsWith('!')) continue;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name || stack.length === 0)
        throw xmlError(`</${name}> does not close <${open?.name ?? ''}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const name = (selfClosing ? tag.slice(0, -1) : tag).trim().split(/\s/, 1)[0];
    const el: Element = { name, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length !== 1) throw xmlError(`<${stack[stack.length - 1].name}> is not closed (truncated?)`);
  return doc;
}

function decode(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : "'",
  );
}

function xmlError(why: string): PerfloopError {
  return new PerfloopError('PLAN_INVALID', `invalid EXPLAIN XML: ${why}`, {
    hint: 'paste the whole output of EXPLAIN (FORMAT XML)',
  });
}
