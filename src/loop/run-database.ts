import type { Finding } from '../core/finding.js';
import type { QueryTopEntry } from '../core/run.js';
import type { AgentSample, CapturedQuery, CapturedRequest } from '../agent/collector.js';
import { analyseRunDatabase } from '../db/run-database.js';
import { connectPostgres, type SqlRunner } from '../db/runner.js';
import { statementsDelta, takeStatementsSnapshot, type StatementsSnapshot } from '../db/sources/pg-stat-statements.js';
import { toTop } from '../db/queries-report.js';
import { findSlowQueries } from '../db/slow-query.js';

/** Where the run's database can be asked for plans and statistics. */
export interface RunDatabaseAccess {
  /** A PostgreSQL URL (--db): EXPLAIN, index advice and pg_stat_statements. */
  url?: string;
  /** Or an already open session (the demo's PGlite). */
  runner?: () => Promise<SqlRunner & { close?: () => Promise<void> }>;
}

export interface DatabaseOutcome {
  findings: Finding[];
  top: QueryTopEntry[] | null;
  markdown: string | null;
  warnings: string[];
}

/** pg_stat_statements before the load, so the delta is what the run did (null when unavailable). */
export async function statementsBefore(url: string | undefined, warnings: string[]): Promise<StatementsSnapshot | null> {
  if (!url) return null;
  const runner = await connectPostgres(url);
  try {
    return await takeStatementsSnapshot(runner);
  } catch (e) {
    warnings.push(`pg_stat_statements is not available on --db (${(e as Error).message}): no server-side query statistics.`);
    return null;
  } finally {
    await runner.close();
  }
}

/**
 * The database part of a run: N+1 and slow statements from the agent's captures (any driver), plans and
 * verified index advice for the slowest statements when the database can be reached, pool saturation, and —
 * for services without the agent — what pg_stat_statements saw during the run.
 */
export async function analyseDatabase(input: {
  access: RunDatabaseAccess;
  before: StatementsSnapshot | null;
  queries: readonly CapturedQuery[];
  requests: readonly CapturedRequest[];
  samples: readonly AgentSample[];
  durationS: number;
  totalRequestMs: number;
  /** Per captured statement text, the values of its slowest call in the measured window (from the agent). */
  realParams?: Record<string, { values: unknown[]; durationMs: number; calls: number }>;
  log: (line: string) => void;
}): Promise<DatabaseOutcome> {
  const warnings: string[] = [];
  let session: (SqlRunner & { close?: () => Promise<void> }) | undefined;
  try {
    if (input.access.url) session = await connectPostgres(input.access.url);
    else if (input.access.runner) session = await input.access.runner();
  } catch (e) {
    warnings.push(`The database could not be reached for plans: ${(e as Error).message}`);
  }
  try {
    const findings: Finding[] = [];
    let top: QueryTopEntry[] | null = null;
    let markdown: string | null = null;
    if (input.queries.length > 0 || input.samples.some((s) => s.pools.length > 0)) {
      if (session) input.log('explaining the slowest statements');
      const real = input.realParams ?? {};
      const db = await analyseRunDatabase(
        { queries: input.queries, requests: input.requests, samples: input.samples, durationS: input.durationS, runner: session },
        {
          realParams: (statement) => {
            const p = real[statement];
            return p && { values: p.values, source: `the slowest captured call, ${Math.round(p.durationMs * 10) / 10} ms of ${p.calls}` };
          },
        },
      );
      findings.push(...db.findings);
      top = db.report.top.slice(0, 20);
      markdown = db.markdown;
    }
    if (input.access.url && input.before && session && input.queries.length === 0) {
      const delta = statementsDelta(input.before, await takeStatementsSnapshot(session));
      top = delta.slice(0, 20).map(toTop);
      findings.push(...findSlowQueries(delta, { totalRequestMs: input.totalRequestMs || undefined }));
    }
    return { findings, top, markdown, warnings };
  } finally {
    await session?.close?.().catch(() => {});
  }
}
