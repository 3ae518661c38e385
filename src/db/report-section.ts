/**
 * The method's "Database Performance Analysis" section (phase-15 Step 4) as Markdown, for report.md:
 * top queries, each slow query with its plan and issues (issue · impact · solution), index
 * recommendations, N+1 with the request it came from (before/after), connection pool tuning.
 * Everything that came from a query, a plan or a URL is escaped or fenced.
 */
import type { Finding } from '../core/finding.js';
import { fmtMs, fmtPct, mdCode, mdEscape, mdTable } from '../report/markdown.js';
import type { ExplainedQuery } from './explain-queries.js';
import type { IndexAdvice } from './index-advisor/advise.js';
import type { PoolStats } from './pool.js';
import type { QueryTop } from './queries-report.js';

export interface DatabaseSectionInput {
  /** Top statements by total time. */
  top?: readonly QueryTop[];
  /** Database findings of the run (any rule of area `db`; others are ignored). */
  findings: readonly Finding[];
  /** The slowest statements, explained (explainSlowestQueries). */
  explained?: readonly ExplainedQuery[];
  /** Index advice; default: gathered from `explained`. */
  indexAdvice?: readonly IndexAdvice[];
  pools?: readonly PoolStats[];
  /** Heading line (default `### Database Performance Analysis`). */
  heading?: string;
  /** Rows of the top-queries table (default 10). */
  maxQueries?: number;
}

export function databaseSectionMarkdown(input: DatabaseSectionInput): string {
  const out: string[] = [input.heading ?? '### Database Performance Analysis', ''];
  const findings = input.findings.filter((f) => f.area === 'db');
  const top = input.top ?? [];
  if (top.length > 0) {
    out.push('**Top queries by total time**:', '');
    out.push(
      mdTable(
        ['Query', 'Calls', 'Total', 'Mean', 'p95', 'Rows'],
        top
          .slice(0, input.maxQueries ?? 10)
          .map((q) => [
            mdCode(short(q.query, 160)),
            String(q.calls),
            fmtMs(q.totalMs),
            fmtMs(q.meanMs),
            fmtMs(q.p95Ms),
            String(q.rows),
          ]),
      ),
      '',
    );
  }

  for (const [i, e] of (input.explained ?? []).entries()) {
    out.push(
      `#### Slow Query ${i + 1}: ${mdEscape(describe(e.query))} (${e.calls} calls, ${fmtMs(e.totalMs)} total, ${fmtMs(e.meanMs)} mean)`,
      '',
    );
    out.push('**Query**:', '', fence('sql', e.example), '');
    if (e.error || !e.analysis) {
      out.push(`Not explained: ${mdEscape(e.error ?? 'no plan')}`, '');
      continue;
    }
    const how = e.analyzed
      ? 'EXPLAIN (ANALYZE, BUFFERS), run in a rolled-back transaction'
      : 'EXPLAIN (planned, not executed)';
    const params = e.params.length
      ? `; parameters: ${e.params.map((p, k) => `$${k + 1} = ${mdCode(short(JSON.stringify(p.value) ?? 'null', 60))} (${mdEscape(p.source)})`).join(', ')}`
      : '';
    out.push(
      `**Execution Plan** (${how}${params}${e.note ? `; ${mdEscape(e.note)}` : ''}):`,
      '',
      fence('', e.planText ?? ''),
      '',
    );
    const issues = e.analysis.findings.filter((f) => f.severity !== 'info');
    out.push('**Issues Identified**:', '');
    out.push(issues.length ? issueTable(issues) : 'None above the thresholds: the plan looks healthy.', '');
  }

  const advice =
    input.indexAdvice ?? dedupeAdvice((input.explained ?? []).flatMap((e) => e.analysis?.indexAdvice ?? []));
  out.push('**Index Recommendations**:', '');
  if (advice.length === 0)
    out.push('None: no candidate index cut a statement’s planner cost by half or more.', '');
  else {
    out.push(
      fence(
        'sql',
        advice
          .map(
            (a) =>
              `-- ${a.table} (${a.columns.join(', ')}): planner cost ${a.costBefore} → ${a.costAfter}, verified with ${a.method === 'hypopg' ? 'a hypothetical index (hypopg)' : 'a real index in a rolled-back transaction'}\n${a.sql}`,
          )
          .join('\n'),
      ),
      '',
    );
  }

  const nPlusOne = findings.filter((f) => f.rule === 'db.n-plus-one');
  out.push('**N+1 Query Detection**:', '');
  if (nPlusOne.length === 0)
    out.push('None: no request ran the same statement 5 or more times in a row.', '');
  for (const f of nPlusOne) {
    const ev = f.evidence as {
      route?: string;
      request?: string;
      meanRepeats?: number;
      requestsAffected?: number;
      normalized?: string;
      query?: string;
      batchedQuery?: string | null;
      totalMs?: number;
    };
    out.push(
      `- ${mdEscape(ev.route ?? '')} — e.g. ${mdCode(short(ev.request ?? '', 120))}: ${ev.meanRepeats ?? '?'} queries per request in ${ev.requestsAffected ?? '?'} request(s), ${fmtMs(ev.totalMs)} in total; impact ${fmtPct(f.estimatedImpact.pct)} (${f.severity})`,
      '',
    );
    const before = `-- Before: runs ${ev.meanRepeats ?? 'N'}× per request, once per id\n${ev.normalized ?? ev.query ?? ''}`;
    const after = ev.batchedQuery
      ? `\n-- After: one query for all ids (pass the array), group the rows in code\n${ev.batchedQuery}`
      : '';
    out.push(fence('sql', before + after), '');
  }

  // issues of the explained statements are in their own tables above
  const explainedIds = new Set((input.explained ?? []).filter((e) => e.analysis).map((e) => e.fingerprint));
  const otherIssues = findings.filter(
    (f) =>
      f.rule !== 'db.n-plus-one' &&
      f.rule !== 'db.missing-index' &&
      !explainedIds.has(String(f.evidence.statementFingerprint)) &&
      !(input.explained ?? []).some((e) => e.analysis?.findings.includes(f)),
  );
  if (otherIssues.length > 0) {
    out.push('**Other database issues**:', '', issueTable(otherIssues), '');
  }

  if (input.pools && input.pools.length > 0) {
    out.push('**Connection Pool Tuning**:', '');
    out.push(
      mdTable(
        ['Pool', 'Parameter', 'Current', 'Recommended', 'Rationale'],
        input.pools.map((p) => [
          mdEscape(p.id),
          'Pool size',
          String(p.currentSize),
          String(p.recommendedSize),
          mdEscape(
            `${p.rationale} (busy ${p.meanBusy} mean / ${p.maxBusy} max; clients waited in ${fmtPct(p.waitingShare * 100)} of samples)`,
          ),
        ]),
      ),
      '',
    );
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function issueTable(findings: readonly Finding[]): string {
  return mdTable(
    ['Issue', 'Impact', 'Solution'],
    findings.map((f) => [
      mdEscape(f.title),
      `${f.severity} (${fmtPct(f.estimatedImpact.pct)})`,
      mdEscape(f.recommendation),
    ]),
  );
}

/** A fenced block that its content cannot close: the fence is longer than any backtick run inside. */
function fence(lang: string, text: string): string {
  const body = text.replace(/\r/g, '');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(Math.max(3, longest + 1));
  return `${f}${lang}\n${body}\n${f}`;
}

/** `SELECT … FROM orders WHERE customer_id = $1` → `orders by customer_id`. */
function describe(query: string): string {
  const table = /\bfrom\s+([\w."]+)/i.exec(query)?.[1] ?? /\b(?:update|into)\s+([\w."]+)/i.exec(query)?.[1];
  const where = /\bwhere\s+(?:\w+\.)?"?(\w+)"?/i.exec(query)?.[1];
  const verb = /^\s*(\w+)/.exec(query)?.[1]?.toUpperCase() ?? 'SQL';
  return table ? `${verb} ${table}${where ? ` by ${where}` : ''}` : short(query, 60);
}

function dedupeAdvice(list: readonly IndexAdvice[]): IndexAdvice[] {
  const by = new Map<string, IndexAdvice>();
  for (const a of list) {
    const key = `${a.table}(${a.columns.join(',')})`;
    const prev = by.get(key);
    if (!prev || a.costBefore - a.costAfter > prev.costBefore - prev.costAfter) by.set(key, a);
  }
  return [...by.values()];
}

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
