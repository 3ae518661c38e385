/**
 * EXPLAIN (FORMAT JSON) → Plan. Accepts the plain output, psql's framed output (header, `+` continuation
 * marks, `(1 row)`), auto_explain's JSON (`Query Text` + `Plan`) and an already-parsed value from a driver.
 * Format reference: https://www.postgresql.org/docs/current/sql-explain.html
 */
import { PerfloopError } from '../../core/errors.js';
import { normaliseExplain, type RawNode } from './normalise.js';
import type { Plan } from './types.js';

export function planFromJsonText(text: string): Plan {
  const cleaned = stripPsqlFrame(text);
  const start = cleaned.search(/[[{]/);
  if (start < 0) throw new PerfloopError('PLAN_INVALID', 'not an EXPLAIN plan: no JSON found');
  const body = cleaned.slice(start);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const end = Math.max(body.lastIndexOf(']'), body.lastIndexOf('}'));
    try {
      // trailing text after the JSON (a psql footer, a log line) is fine; a broken body is not
      value = JSON.parse(body.slice(0, end + 1));
    } catch {
      const truncated = /Unexpected end|unterminated|end of (JSON )?input/i.test((e as Error).message);
      throw new PerfloopError(
        'PLAN_INVALID',
        `${truncated ? 'truncated' : 'invalid'} EXPLAIN JSON: ${(e as Error).message}`,
        {
          hint: 'paste the whole output of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)',
        },
      );
    }
  }
  return planFromJsonValue(value);
}

/** A parsed EXPLAIN JSON value: `[ { Plan … } ]`, `{ Plan … }`, or a driver row `{ "QUERY PLAN": … }`. */
export function planFromJsonValue(value: unknown): Plan {
  let v = value;
  if (typeof v === 'string') return planFromJsonText(v);
  if (Array.isArray(v)) v = v[0];
  if (v && typeof v === 'object' && 'QUERY PLAN' in (v as RawNode))
    return planFromJsonValue((v as RawNode)['QUERY PLAN']);
  if (!v || typeof v !== 'object' || !('Plan' in (v as RawNode)))
    throw new PerfloopError('PLAN_INVALID', 'not an EXPLAIN plan: the JSON has no "Plan"', {
      hint: 'use EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)',
    });
  return normaliseExplain(v as RawNode, 'json');
}

/** Removes what psql draws around a result: the QUERY PLAN header, the dashes, `+` marks, the row count. */
export function stripPsqlFrame(text: string): string {
  return text
    .split(/\r?\n/)
    .filter(
      (l) => !/^\s*QUERY PLAN\s*$/.test(l) && !/^\s*-{3,}\s*$/.test(l) && !/^\s*\(\d+ rows?\)\s*$/.test(l),
    )
    .map((l) => l.replace(/\s*\+\s*$/, ''))
    .join('\n');
}
