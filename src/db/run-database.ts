/**
 * The database step of a run in one call, for `perfloop run`: top queries and N+1 from the captured queries,
 * EXPLAIN of the slowest statements with index advice (when a database is reachable), pool saturation from the
 * agent's gauges, and the report section. Plan findings are re-based on the run: a statement's saving counts
 * by the statement's share of the requests' time.
 */
import { rankFindings, severityForPct, type Finding } from '../core/finding.js';
import { explainSlowestQueries, type ExplainedQuery, type ExplainQueriesOptions } from './explain-queries.js';
import { missingIndexFindings } from './index-advisor/findings.js';
import { analysePools, type PoolAnalysis, type PoolGauge } from './pool.js';
import { queriesReport, type QueriesReport, type QueriesReportOptions } from './queries-report.js';
import type { ObservedQuery, ObservedRequest } from './query.js';
import { queryStats } from './query-stats.js';
import { databaseSectionMarkdown } from './report-section.js';
import type { SqlRunner } from './runner.js';

export interface RunDatabaseInput {
  queries: readonly ObservedQuery[];
  requests: readonly ObservedRequest[];
  /** Agent samples with pool gauges (AgentSample shape). */
  samples?: readonly { t: number; pools: readonly PoolGauge[] }[];
  /** Measured duration of the run (s), for the arrival rate; default: from the requests' timestamps. */
  durationS?: number;
  /** A session on the service's database (PostgreSQL URL connection or PGlite) to EXPLAIN on. */
  runner?: SqlRunner;
}

export interface RunDatabaseOptions extends QueriesReportOptions, ExplainQueriesOptions {
  /** Pool sizing inputs (see pool.ts). */
  poolMax?: number;
  dbCores?: number;
  spindles?: number;
}

export interface RunDatabaseResult {
  report: QueriesReport;
  explained: ExplainedQuery[];
  pool: PoolAnalysis | null;
  /** Every database finding of the run, ranked (N+1, slow statements, plan rules, missing indexes, pool). */
  findings: Finding[];
  /** The report.md section. */
  markdown: string;
}

export async function analyseRunDatabase(
  input: RunDatabaseInput,
  options: RunDatabaseOptions = {},
): Promise<RunDatabaseResult> {
  const stats = queryStats(input.queries);
  const report = queriesReport(
    { queries: input.queries, requests: input.requests, stats, kind: 'agent' },
    options,
  );
  const requestMs = input.requests.reduce((s, r) => s + r.durationMs, 0);
  const explained = input.runner ? await explainSlowestQueries(input.runner, stats, options) : [];
  const findings: Finding[] = [...report.findings];
  // one db.missing-index per index, whichever statements it speeds up
  const indexFindings = new Map<string, Finding>();
  for (const e of explained) {
    if (!e.analysis) continue;
    // share of the requests' time this statement took (its plan findings are shares of the statement)
    const share = requestMs > 0 ? Math.min(1, e.totalMs / requestMs) : 1;
    for (const f of e.analysis.findings) {
      if (f.rule === 'db.hot-node' || f.rule === 'db.missing-index') continue;
      findings.push(rebase(f, share, e));
    }
    for (const a of e.analysis.indexAdvice) {
      const key = `${a.table}(${a.columns.join(',')})`;
      const f = missingIndexFindings([a], { query: e.example, statementSharePct: share * 100 })[0];
      f.evidence.statementFingerprint = e.fingerprint;
      const prev = indexFindings.get(key);
      indexFindings.set(key, prev ? mergeIndexFindings(prev, f) : f);
    }
  }
  findings.push(...indexFindings.values());
  const durationS = input.durationS ?? spanS(input.requests);
  const pool =
    input.samples && input.samples.some((s) => s.pools.length > 0)
      ? analysePools({
          samples: input.samples,
          arrivalRate: durationS > 0 ? input.requests.length / durationS : 0,
          meanQueryMs: input.queries.length
            ? input.queries.reduce((s, q) => s + q.durationMs, 0) / input.queries.length
            : 0,
          queriesPerRequest: input.requests.length ? input.queries.length / input.requests.length : 1,
          poolMax: options.poolMax,
          dbCores: options.dbCores,
          spindles: options.spindles,
        })
      : null;
  if (pool) findings.push(...pool.findings);
  const ranked = rankFindings(findings);
  const markdown = databaseSectionMarkdown({
    top: report.top,
    findings: ranked,
    explained,
    pools: pool?.pools,
  });
  return { report, explained, pool, findings: ranked, markdown };
}

function rebase(f: Finding, share: number, e: ExplainedQuery): Finding {
  const pct = Math.round(f.estimatedImpact.pct * share * 10) / 10;
  // the rule's own severity (e.g. by misestimate factor) is kept unless the run-level share says less
  const severity = severityForPct(pct);
  const order = ['info', 'low', 'medium', 'high', 'critical'];
  return {
    ...f,
    severity: order.indexOf(severity) < order.indexOf(f.severity) ? severity : f.severity,
    evidence: { ...f.evidence, query: e.example.slice(0, 400), statementFingerprint: e.fingerprint },
    estimatedImpact: {
      pct,
      basis: `${f.estimatedImpact.basis}; × the statement’s share of the requests’ time`,
    },
  };
}

function mergeIndexFindings(a: Finding, b: Finding): Finding {
  const pct = Math.min(100, Math.round((a.estimatedImpact.pct + b.estimatedImpact.pct) * 10) / 10);
  const queries = [
    ...((a.evidence.queries as string[] | undefined) ?? [String(a.evidence.query ?? '')]),
    String(b.evidence.query ?? ''),
  ];
  return {
    ...a,
    severity: severityForPct(pct),
    evidence: { ...a.evidence, queries },
    estimatedImpact: { ...a.estimatedImpact, pct },
  };
}

function spanS(requests: readonly ObservedRequest[]): number {
  if (requests.length < 2) return 0;
  const t0 = Math.min(...requests.map((r) => r.t));
  const t1 = Math.max(...requests.map((r) => r.t + r.durationMs));
  return (t1 - t0) / 1000;
}
