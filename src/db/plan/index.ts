/** Reads a PostgreSQL plan in whichever format it came: JSON (by content) or text. */
import { PerfloopError } from '../../core/errors.js';
import { planFromJsonText, stripPsqlFrame } from './from-json.js';
import { planFromText } from './from-text.js';
import type { Plan } from './types.js';

export { planFromJsonText, planFromJsonValue } from './from-json.js';
export { planFromText } from './from-text.js';
export * from './types.js';

export function parsePlan(text: string): Plan {
  const body = stripPsqlFrame(text).trim();
  if (body === '')
    throw new PerfloopError('PLAN_INVALID', 'the plan is empty', {
      hint: 'pass the output of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)',
    });
  if (/^[[{]/.test(body)) return planFromJsonText(body);
  return planFromText(text);
}
