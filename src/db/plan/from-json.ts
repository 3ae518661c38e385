/**
 * EXPLAIN (FORMAT JSON) → Plans. Accepts the plain output (frames already removed by clean-input.ts),
 * auto_explain's JSON (`Query Text` + `Plan`), several results in one array (a statement rewritten into
 * several) and an already-parsed value from a driver.
 * Format reference: https://www.postgresql.org/docs/current/sql-explain.html
 */
import { PerfloopError } from '../../core/errors.js';
import { normaliseExplain, type RawNode } from './normalise.js';
import type { Plan } from './types.js';

export function plansFromJsonText(text: string): Plan[] {
  const start = text.search(/[[{]/);
  if (start < 0) throw new PerfloopError('PLAN_INVALID', 'not an EXPLAIN plan: no JSON found');
  const body = text.slice(start);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const end = Math.max(body.lastIndexOf(']'), body.lastIndexOf('}'));
    try {
      // trailing text after the JSON (a psql footer, a log line) is fine; a broken body is not
      value = JSON.parse(body.slice(0, end + 1));
    } catch {
      const msg = (e as Error).message;
      const truncated = /Unexpected end|unterminated|end of (JSON )?input/i.test(msg);
      const masked = /Unexpected token 'N'/.test(msg);
      throw new PerfloopError(
        'PLAN_INVALID',
        masked
          ? 'not an EXPLAIN plan: the JSON has masked numbers (N) where EXPLAIN prints values'
          : `${truncated ? 'truncated' : 'invalid'} EXPLAIN JSON: ${msg.split('\n')[0]}`,
        { hint: 'paste the whole output of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)' },
      );
    }
  }
  return plansFromJsonValue(value);
}

/** A parsed EXPLAIN JSON (or YAML) value: `[ { Plan … }, … ]`, `{ Plan … }`, or a driver row `{ "QUERY PLAN": … }`. */
export function plansFromJsonValue(value: unknown, format: 'json' | 'yaml' = 'json'): Plan[] {
  const v = value;
  if (typeof v === 'string') return plansFromJsonText(v);
  if (v && typeof v === 'object' && !Array.isArray(v) && 'QUERY PLAN' in (v as RawNode))
    return plansFromJsonValue((v as RawNode)['QUERY PLAN'], format);
  const items = Array.isArray(v) ? v : [v];
  const plans = items.filter((x): x is RawNode => !!x && typeof x === 'object' && 'Plan' in (x as RawNode));
  if (plans.length === 0 || plans.length !== items.length)
    throw new PerfloopError(
      'PLAN_INVALID',
      `not an EXPLAIN plan: the ${format.toUpperCase()} has no "Plan"`,
      {
        hint: 'use EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)',
      },
    );
  return plans.map((p) => normaliseExplain(p, format));
}

/** The first plan of a JSON value (what a driver returns for one EXPLAIN). */
export function planFromJsonValue(value: unknown): Plan {
  return plansFromJsonValue(value)[0];
}
