/**
 * The detail lines under a node of EXPLAIN text (`Filter: …`, `Buffers: shared hit=1 read=2`,
 * `Sort Method: external merge  Disk: 1234kB`, …) → the JSON fields PostgreSQL prints for them.
 * Covers the fields of PostgreSQL 12–18 (explain.c); unknown `Key: value` lines are kept under their key.
 */
import type { RawNode } from './normalise.js';

const kb = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/kB$/, '')));

/** Adds the fields of one detail line to `raw`; false when the line is not `Key: value` (not understood). */
export function applyDetailLine(raw: RawNode, line: string): boolean {
  const text = line.trim();
  let m: RegExpExecArray | null;
  if ((m = /^Buffers: (.+)$/.exec(text))) return !!Object.assign(raw, parseBuffers(m[1]));
  if ((m = /^I\/O Timings: (.+)$/.exec(text))) return !!Object.assign(raw, parseIoTimings(m[1]));
  if ((m = /^WAL: (.+)$/.exec(text))) {
    for (const [, k, v] of m[1].matchAll(/(records|fpi|bytes|buffers full)=(\d+)/g))
      raw[`WAL ${k === 'fpi' ? 'FPI' : k[0].toUpperCase() + k.slice(1)}`] = Number(v);
    return true;
  }
  if ((m = /^Sort Method: (.+?)\s+(Memory|Disk): (\d+)kB$/.exec(text))) {
    raw['Sort Method'] = m[1];
    raw['Sort Space Type'] = m[2];
    raw['Sort Space Used'] = Number(m[3]);
    return true;
  }
  if (
    (m = /^(Full-sort|Pre-sorted) Groups: (\d+)\s+Sort Methods?: (.+?)\s+(?:Average|Peak) (Memory|Disk)/.exec(
      text,
    ))
  ) {
    const peak = /Peak (Memory|Disk): (\d+)kB/.exec(text);
    raw[`${m[1]} Groups`] = {
      'Group Count': Number(m[2]),
      'Sort Methods Used': m[3].split(/,\s*/),
      'Sort Space Type': peak?.[1] ?? m[4],
      'Peak Sort Space Used': peak ? Number(peak[2]) : null,
    };
    if ((peak?.[1] ?? m[4]) === 'Disk') {
      raw['Sort Space Type'] = 'Disk';
      raw['Sort Method'] = m[3];
      raw['Sort Space Used'] = Math.max(Number(raw['Sort Space Used'] ?? 0), peak ? Number(peak[2]) : 0);
    }
    return true;
  }
  if (
    (m =
      /^Buckets: (\d+)(?: \(originally (\d+)\))?\s+Batches: (\d+)(?: \(originally (\d+)\))?\s+Memory Usage: (\d+)kB$/.exec(
        text,
      ))
  ) {
    raw['Hash Buckets'] = Number(m[1]);
    raw['Original Hash Buckets'] = Number(m[2] ?? m[1]);
    raw['Hash Batches'] = Number(m[3]);
    raw['Original Hash Batches'] = Number(m[4] ?? m[3]);
    raw['Peak Memory Usage'] = Number(m[5]);
    return true;
  }
  if (/^(Planned Partitions: \d+\s+)?Batches: \d+/.test(text) && /Memory Usage/.test(text)) {
    const p = /Planned Partitions: (\d+)/.exec(text);
    if (p) raw['Planned Partitions'] = Number(p[1]);
    raw['HashAgg Batches'] = Number(/Batches: (\d+)/.exec(text)![1]);
    raw['Peak Memory Usage'] = kb(/Memory Usage: (\d+kB)/.exec(text)?.[1]);
    const d = /Disk Usage: (\d+)kB/.exec(text);
    if (d) raw['Disk Usage'] = Number(d[1]);
    return true;
  }
  if ((m = /^Heap Blocks: (.+)$/.exec(text))) {
    for (const [, k, v] of m[1].matchAll(/(exact|lossy)=(\d+)/g))
      raw[`${k === 'exact' ? 'Exact' : 'Lossy'} Heap Blocks`] = Number(v);
    return true;
  }
  if (
    (m = /^Hits: (\d+)\s+Misses: (\d+)\s+Evictions: (\d+)\s+Overflows: (\d+)\s+Memory Usage: (\d+)kB$/.exec(
      text,
    ))
  ) {
    Object.assign(raw, {
      'Cache Hits': +m[1],
      'Cache Misses': +m[2],
      'Cache Evictions': +m[3],
      'Cache Overflows': +m[4],
      'Peak Memory Usage': +m[5],
    });
    return true;
  }
  if ((m = /^Storage: (\w+)\s+Maximum Storage: (\d+)kB$/.exec(text))) {
    raw['Storage'] = m[1];
    raw['Maximum Storage'] = Number(m[2]);
    return true;
  }
  if ((m = /^(Sort Key|Group Key|Presorted Key|Output|Hash Key|Partition Key|Cache Key): (.+)$/.exec(text))) {
    raw[m[1]] = splitTopLevel(m[2]);
    return true;
  }
  // a sub-section header inside a node (`JIT:` of a worker): its lines follow as details
  if (text.endsWith(':') && /^[A-Z][A-Za-z ]*:$/.test(text)) return true;
  const colon = text.indexOf(': ');
  const key = colon > 0 ? text.slice(0, colon) : '';
  if (/^[A-Za-z][A-Za-z /-]*$/.test(key)) {
    const v = text.slice(colon + 2).trim();
    raw[key] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
    return true;
  }
  return false;
}

/** `shared hit=1 read=2 dirtied=3 written=4, local hit=5, temp read=6 written=7` */
export function parseBuffers(text: string): RawNode {
  const out: RawNode = {};
  for (const part of text.split(/,\s*/)) {
    const scope = /^(shared|local|temp)\b/.exec(part.trim())?.[1];
    if (!scope) continue;
    for (const [, k, v] of part.matchAll(/(hit|read|dirtied|written)=(\d+)/g))
      out[`${cap(scope)} ${cap(k)} Blocks`] = Number(v);
  }
  return out;
}

/** ≤ 15: `read=1.2 write=0.3`; 16+: `shared read=1.2 write=0.3, local …, temp read=… write=…` */
function parseIoTimings(text: string): RawNode {
  const out: RawNode = {};
  for (const part of text.split(/,\s*/)) {
    const scope = /^(shared|local|temp)\b/.exec(part.trim())?.[1];
    for (const [, k, v] of part.matchAll(/(read|write)=([\d.]+)/g))
      out[`${scope ? `${cap(scope)} ` : ''}I/O ${cap(k)} Time`] = Number(v);
  }
  return out;
}

/** `a, lower(b), c DESC` → three keys; commas inside parentheses or quotes stay. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
