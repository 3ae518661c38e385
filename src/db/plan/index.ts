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
  /** Input line where each plan starts (text; 1 for the other formats). */
  startLines: number[];
}

/** The warnings that concern plan `i` (by the line number they name). */
export function warningsOfPlan(parsed: ParsedPlans, i: number): string[] {
  const from = i === 0 ? 0 : parsed.startLines[i];
  const to = parsed.startLines[i + 1] ?? Infinity;
  return parsed.warnings.filter((w) => {
    const line = Number(/^lines? (\d+)/.exec(w)?.[1] ?? 0);
    return line >= from && line < to;
  });
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
    return withStarts('json', plansFromJsonText(body()), warnings);
  if (head.startsWith('<')) return withStarts('xml', plansFromXmlText(body()), warnings);
  if (/^- Plan:|^Plan:\s*$/.test(head)) return withStarts('yaml', plansFromYamlText(body()), warnings);
  const res = plansFromText(lines, options.signal);
  return {
    format: 'text',
    plans: res.plans,
    warnings: [...warnings, ...res.warnings],
    startLines: res.startLines,
  };
}

function withStarts(format: PlanFormat, plans: Plan[], warnings: string[]): ParsedPlans {
  return { format, plans, warnings, startLines: plans.map(() => 1) };
}

/** The first plan of the input (most inputs hold one). */
export function parsePlan(text: string, options: ParseOptions = {}): Plan {
  return parsePlans(text, options).plans[0];
}
