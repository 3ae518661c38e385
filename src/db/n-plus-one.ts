import { severityForPct, type Finding } from '../core/finding.js';
import { normaliseQuery, routeOf, type ObservedQuery } from './query.js';

export interface NPlusOneOptions {
  /** Consecutive same-shape queries in one request that make an N+1 (default 5). */
  minRepeats?: number;
  /** Ignore patterns whose repeated queries took less than this in total (default 0 ms). */
  minTotalMs?: number;
  /** Sum of the durations of the requests the queries ran under, by request id (for the share of request time). */
  requestDurationMs?: ReadonlyMap<string, number>;
}

interface Pattern {
  fingerprint: string;
  example: string;
  route: string;
  requests: Set<string>;
  runs: number[];
  totalMs: number;
  exampleRequest: string;
}

/**
 * N+1: one request runs the same statement shape again and again in a row (a query in a loop). Found per
 * request from captured queries, then grouped by route and statement so one finding covers every request.
 */
export function findNPlusOne(queries: readonly ObservedQuery[], options: NPlusOneOptions = {}): Finding[] {
  const minRepeats = options.minRepeats ?? 5;
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
      const fp = normaliseQuery(list[i].text);
      let j = i + 1;
      while (j < list.length && normaliseQuery(list[j].text) === fp) j++;
      const run = j - i;
      if (run >= minRepeats) {
        const route = routeOf(list[i].request);
        const key = `${route}\u0000${fp}`;
        let p = patterns.get(key);
        if (!p) patterns.set(key, (p = { fingerprint: fp, example: list[i].text, route, requests: new Set(), runs: [], totalMs: 0, exampleRequest: list[i].request ?? '' }));
        p.requests.add(id);
        p.runs.push(run);
        for (let k = i; k < j; k++) p.totalMs += list[k].durationMs;
      }
      i = j;
    }
  }
  return [...patterns.values()].map((p) => {
    const meanRepeats = p.runs.reduce((a, b) => a + b, 0) / p.runs.length;
    let requestMs = 0;
    for (const id of p.requests) requestMs += options.requestDurationMs?.get(id) ?? 0;
    // Batching keeps one round trip of the N: the saving is the rest of their time.
    const savedMs = p.totalMs * (1 - 1 / meanRepeats);
    const pctOfRequests = requestMs > 0 ? Math.min(100, (100 * savedMs) / requestMs) : NaN;
    const pct = Number.isFinite(pctOfRequests) ? Math.round(pctOfRequests * 10) / 10 : 0;
    const column = /where\s+"?(\w+)"?\s*=\s*(\$\d+|\?)/i.exec(p.example)?.[1];
    return {
      rule: 'db.n-plus-one',
      area: 'db',
      severity: Number.isFinite(pctOfRequests) ? severityForPct(pct) : 'high',
      title: `N+1 in ${p.route}: \`${truncate(p.fingerprint, 90)}\` runs ${Math.round(meanRepeats)}× per request`,
      evidence: {
        route: p.route,
        request: p.exampleRequest,
        fingerprint: p.fingerprint,
        query: truncate(p.example, 400),
        requestsAffected: p.requests.size,
        meanRepeats: Math.round(meanRepeats * 10) / 10,
        maxRepeats: Math.max(...p.runs),
        totalMs: Math.round(p.totalMs * 10) / 10,
        pctOfRequestTime: Number.isFinite(pctOfRequests) ? pct : null,
      },
      recommendation:
        `Batch the ${Math.round(meanRepeats)} lookups into one query` +
        (column ? ` (\`WHERE ${column} = ANY($1)\` with the array of ids)` : ' (WHERE … = ANY($1) or a JOIN)') +
        ' and group the rows in code.',
      estimatedImpact: { pct, basis: 'share of the affected requests’ time spent in the repeated round trips' },
    } satisfies Finding;
  });
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
