/**
 * EXPLAIN (FORMAT YAML) → Plans. YAML output is the JSON document's structure with YAML syntax
 * (https://www.postgresql.org/docs/current/sql-explain.html), so the `yaml` library reads it and the JSON
 * reader takes over.
 */
import { parse } from 'yaml';
import { PerfloopError } from '../../core/errors.js';
import { plansFromJsonValue } from './from-json.js';
import type { Plan } from './types.js';

export function plansFromYamlText(text: string): Plan[] {
  let value: unknown;
  try {
    value = parse(text);
  } catch (e) {
    throw new PerfloopError('PLAN_INVALID', `invalid EXPLAIN YAML: ${(e as Error).message.split('\n')[0]}`, {
      hint: 'paste the whole output of EXPLAIN (FORMAT YAML)',
    });
  }
  return plansFromJsonValue(value, 'yaml');
}
