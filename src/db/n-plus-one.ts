import { severityForPct, type Finding } from '../core/finding.js';
import { routeOf, type ObservedQuery } from './query.js';
import { queryShape } from './sql/fingerprint.js';
import { statementPredicates } from './sql/predicates.js';

export interface NPlusOneOptions {
  /** Consecutive same-shape queries in one request that make an N+1 (default 5). */
  minRepeats?: number;
  /** Ignore patterns whose repeated queries took less than this in total, per request on average (default 0 ms). */
  minTotalMs?: number;
  /** Duration of the requests the queries ran under, by request id (for the share of request time). */
  requestDurationMs?: ReadonlyMap<string, number>;
}

interface Pattern {
  fingerprint: string;
  query: string;
  example: string;
  route: string;
  requests: Set<string>;
  runs: number[];
  totalMs: number;
  exampleRequest: string;
}

/**
 * N+1: one request runs the same statement shape again and again in a row (a query in a loop). Found per
 * request from observed queries (agent captures, trace spans, log sessions), then grouped by route and
 * statement so one finding covers every request.
 */
export function findNPlusOne(queries: readonly ObservedQuery[], options: NPlusOneOptions = {}): Finding[] {
  const minRepeats = Math.max(2, options.minRepeats ?? 5);
  const byRequest = new Map<string, ObservedQuery[]>();
  for (const q of queries) {
    if (!q.requestId) continue;
    let list = byRequest.get(q.requestId);
    if (!list) byRequest.set(q.requestId, (list = []));
    list.push(q);
  }
  const patterns = new Map<string, Pattern>();
  for (const [id, list] of byRequest) {
    list.sort((a, b) => a.t - b.t);
    let i = 0;
    while (i < list.length) {
      const shape = queryShape(list[i].text);
      let j = i + 1;
      while (j < list.length && queryShape(list[j].text).fingerprint === shape.fingerprint) j++;
      const run = j - i;
      if (run >= minRepeats) {
        const route = routeOf(list[i].request);
        const key = `${route}\u0000${shape.fingerprint}`;
        let p = patterns.get(key);
        if (!p)
          patterns.set(
            key,
            (p = {
              fingerprint: shape.fingerprint,
              query: shape.query,
              example: list[i].text,
              route,
              requests: new Set(),
              runs: [],
              totalMs: 0,
              exampleRequest: list[i].request ?? '',
            }),
          );
        p.requests.add(id);
        p.runs.push(run);
        for (let k = i; k < j; k++) p.totalMs += list[k].durationMs;
      }
      i = j;
    }
  }
  const minTotalMs = options.minTotalMs ?? 0;
  return [...patterns.values()]
    .filter((p) => p.totalMs / p.requests.size >= minTotalMs)
    .map((p) => toFinding(p, options));
}

function toFinding(p: Pattern, options: NPlusOneOptions): Finding {
  const meanRepeats = p.runs.reduce((a, b) => a + b, 0) / p.runs.length;
  let requestMs = 0;
  for (const id of p.requests) requestMs += options.requestDurationMs?.get(id) ?? 0;
  // Batching keeps one round trip of the N: the saving is the rest of their time.
  const savedMs = p.totalMs * (1 - 1 / meanRepeats);
  const pctOfRequests = requestMs > 0 ? Math.min(100, (100 * savedMs) / requestMs) : NaN;
  const pct = Number.isFinite(pctOfRequests) ? Math.round(pctOfRequests * 10) / 10 : 0;
  const rewrite = batchedRewrite(p.example);
  const n = Math.round(meanRepeats);
  return {
    rule: 'db.n-plus-one',
    area: 'db',
    severity: Number.isFinite(pctOfRequests) ? severityForPct(pct) : 'high',
    title: `N+1 in ${p.route}: \`${truncate(p.query, 90)}\` runs ${n}× per request`,
    evidence: {
      route: p.route,
      request: p.exampleRequest,
      fingerprint: p.fingerprint,
      query: truncate(p.example, 400),
      normalized: truncate(p.query, 400),
      requestsAffected: p.requests.size,
      meanRepeats: Math.round(meanRepeats * 10) / 10,
      maxRepeats: Math.max(...p.runs),
      totalMs: Math.round(p.totalMs * 10) / 10,
      pctOfRequestTime: Number.isFinite(pctOfRequests) ? pct : null,
      batchedQuery: rewrite?.sql ?? null,
    },
    recommendation:
      `Batch the ${n} lookups into one query` +
      (rewrite
        ? ` (\`WHERE ${rewrite.column} = ANY($1)\` with the array of ids: \`${truncate(rewrite.sql, 200)}\`)`
        : ' (WHERE … = ANY($1) or a JOIN)') +
      ' and group the rows in code.',
    estimatedImpact: { pct, basis: 'share of the affected requests’ time spent in the repeated round trips' },
  };
}

/**
 * The batched form of a per-id lookup: the column compared with a parameter (from the parse tree) and the
 * statement with `col = $n` turned into `col = ANY($n)`.
 */
export function batchedRewrite(sql: string): { column: string; sql: string } | null {
  const preds = statementPredicates(sql);
  const shape = queryShape(sql);
  const eq =
    preds?.predicates.find((p) => p.kind === 'eq' && p.param !== undefined) ??
    preds?.predicates.find((p) => p.kind === 'eq');
  const column = eq?.column ?? /where\s+(?:\w+\.)?"?(\w+)"?\s*=\s*(\$\d+|\?)/i.exec(sql)?.[1];
  if (!column) return null;
  const esc = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`((?:\\b\\w+\\.)?"?\\b${esc}\\b"?\\s*)=\\s*(\\$\\d+|\\?)`, 'i');
  const rewritten = re.test(shape.query)
    ? shape.query.replace(re, (_m, lhs: string, param: string) => `${lhs}= ANY(${param})`)
    : null;
  return { column, sql: rewritten ?? shape.query };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
