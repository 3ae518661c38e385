/**
 * Reads PostgreSQL plans in whichever format and shape they were pasted: text, JSON, YAML or XML (by
 * content), inside psql/DBeaver/pgAdmin frames or CSV quoting, one or several plans.
 */
import { PerfloopError } from '../../core/errors.js';
import { cleanPlanInput } from './clean-input.js';
import { plansFromJsonText } from './from-json.js';
import { plansFromText } from './from-text.js';
import { plansFromXmlText } from './from-xml.js';
import { plansFromYamlText } from './from-yaml.js';
import type { Plan, PlanFormat } from './types.js';

export { planFromJsonValue, plansFromJsonValue } from './from-json.js';
export * from './types.js';

export interface ParsedPlans {
  format: PlanFormat;
  /** Every plan of the input, in order. */
  plans: Plan[];
  /** Lines skipped or joined, each with its line number. */
  warnings: string[];
}

export interface ParseOptions {
  /** Stops a long parse (Ctrl-C). */
  signal?: AbortSignal;
}

export function parsePlans(text: string, options: ParseOptions = {}): ParsedPlans {
  const { lines, warnings } = cleanPlanInput(text);
  const first = lines.find((l) => l.text.trim() !== '');
  if (!first)
    throw new PerfloopError('PLAN_INVALID', 'the plan is empty', {
      hint: 'pass the output of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)',
    });
  options.signal?.throwIfAborted();
  const head = first.text.trim();
  const body = () => lines.map((l) => l.text).join('\n');
  if (head.startsWith('[') || head.startsWith('{'))
    return { format: 'json', plans: plansFromJsonText(body()), warnings };
  if (head.startsWith('<'))
    return { format: 'xml', plans: plansFromXmlText(body()), warnings };
  if (/^- Plan:|^Plan:\s*$/.test(head)) return { format: 'yaml', plans: plansFromYamlText(body()), warnings };
  const res = plansFromText(lines, options.signal);
  return { format: 'text', plans: res.plans, warnings: [...warnings, ...res.warnings] };
}

/** The first plan of the input (most inputs hold one). */
export function parsePlan(text: string, options: ParseOptions = {}): Plan {
  return parsePlans(text, options).plans[0];
}
