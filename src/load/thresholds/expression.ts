/**
 * Threshold expressions in k6's syntax (https://grafana.com/docs/k6/latest/using-k6/thresholds/), parsed the
 * way k6's metrics/thresholds_parser.go parses them:
 *
 * ```
 * assertion           -> aggregation_method whitespace* operator whitespace* float
 * aggregation_method  -> trend | rate | gauge | counter
 * counter             -> "count" | "rate"
 * gauge               -> "value"
 * rate                -> "rate"
 * trend               -> "avg" | "min" | "max" | "med" | percentile
 * percentile          -> "p(" float ")"          with 0 ≤ float ≤ 100
 * operator            -> ">" | ">=" | "<=" | "<" | "==" | "===" | "!="
 * float               -> "-"? digit+ ("." digit+)? (("e" | "E") ("+" | "-")? digit+)?
 * whitespace          -> " "
 * ```
 *
 * As in k6, the operator is found by trying "<=", "<", ">=", ">", "===", "==", "!=" in that order and splitting
 * at its first occurrence; both sides are then trimmed. Which methods a metric accepts depends on its type
 * (see `methodsFor`). Unlike k6, a threshold on a metric that does not exist is an error.
 */
export type AggregationMethod = 'count' | 'rate' | 'value' | 'avg' | 'min' | 'max' | 'med' | 'p';
export type Operator = '<=' | '<' | '>=' | '>' | '===' | '==' | '!=';

export interface ThresholdExpression {
  method: AggregationMethod;
  /** The percentile of `p(…)`; undefined for other methods. */
  percentile?: number;
  operator: Operator;
  value: number;
  /** The expression as written (the key of the result). */
  source: string;
}

export class ThresholdSyntaxError extends Error {}

const OPERATORS: readonly Operator[] = ['<=', '<', '>=', '>', '===', '==', '!='];
const METHODS: readonly AggregationMethod[] = ['value', 'count', 'rate', 'avg', 'min', 'med', 'max'];
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Splits `method operator value` at the operator, without judging either side (k6's scan step). */
export function scanThresholdExpression(input: string): {
  method: string;
  operator: Operator;
  value: string;
} {
  for (const op of OPERATORS) {
    const i = input.indexOf(op);
    if (i >= 0)
      return { method: input.slice(0, i).trim(), operator: op, value: input.slice(i + op.length).trim() };
  }
  throw new ThresholdSyntaxError(
    `malformed threshold expression ${JSON.stringify(input)}: no operator (<, <=, >, >=, ==, ===, !=)`,
  );
}

export function parseAggregationMethod(input: string): { method: AggregationMethod; percentile?: number } {
  const plain = METHODS.find((m) => m === input);
  if (plain) return { method: plain };
  if (input.startsWith('p(') && input.endsWith(')')) {
    const inner = input.slice(2, -1);
    const p = FLOAT.test(inner) ? Number(inner) : NaN;
    if (!Number.isFinite(p))
      throw new ThresholdSyntaxError(`malformed percentile value ${JSON.stringify(inner)}`);
    if (p < 0 || p > 100) throw new ThresholdSyntaxError(`percentile ${p} is out of range [0, 100]`);
    return { method: 'p', percentile: p };
  }
  throw new ThresholdSyntaxError(
    `unknown aggregation method ${JSON.stringify(input)} (count, rate, value, avg, min, med, max, p(N))`,
  );
}

export function parseThresholdExpression(input: string): ThresholdExpression {
  const scanned = scanThresholdExpression(input);
  const { method, percentile } = parseAggregationMethod(scanned.method);
  if (!FLOAT.test(scanned.value))
    throw new ThresholdSyntaxError(`threshold value ${JSON.stringify(scanned.value)} is not a number`);
  return { method, percentile, operator: scanned.operator, value: Number(scanned.value), source: input };
}

/** Aggregation methods k6 allows per metric type. */
export function methodsFor(type: 'counter' | 'gauge' | 'rate' | 'trend'): readonly AggregationMethod[] {
  switch (type) {
    case 'counter':
      return ['count', 'rate'];
    case 'gauge':
      return ['value'];
    case 'rate':
      return ['rate'];
    case 'trend':
      return ['avg', 'min', 'max', 'med', 'p'];
  }
}

export function compare(actual: number, op: Operator, expected: number): boolean {
  switch (op) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '==':
    case '===':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
}

/** `p(95)` or `avg`: how the method reads in summaries. */
export function methodLabel(e: ThresholdExpression): string {
  return e.method === 'p' ? `p(${e.percentile})` : e.method;
}
