import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { queriesReport, type QueriesReport } from '../../db/queries-report.js';
import { connectPostgres } from '../../db/runner.js';
import { loadQuerySource } from '../../db/sources/index.js';
import {
  statementsDelta,
  takeStatementsSnapshot,
  type StatementsSnapshot,
} from '../../db/sources/pg-stat-statements.js';
import type { Command, CommandIO } from '../command.js';
import { int, str } from '../parse.js';

export const queriesCommand: Command = {
  name: 'queries',
  summary: 'top queries and N+1 from a run, an OpenTelemetry trace, a PostgreSQL log or pg_stat_statements',
  usage: 'perfloop queries (SOURCE | --db URL [--save-snapshot FILE] [--since FILE]) [--json]',
  details: [
    'SOURCE: a perfloop run directory or its queries.ndjson (queries captured per request by the Node agent),',
    'an OTLP/JSON trace file (database spans under HTTP server spans: any language), or a PostgreSQL server log',
    'written with log_min_duration_statement (stderr, csvlog or jsonlog). --db URL reads pg_stat_statements:',
    '--save-snapshot FILE before a run, --since FILE after it shows what the run did (without --since: totals',
    'since the view was last reset). Statements are fingerprinted with the PostgreSQL parser (libpg-query).',
    '',
    'JSON (--json): { "schema": "perfloop/queries@1", "top": [ { "fingerprint", "query", "calls", "totalMs",',
    '"meanMs", "p95Ms", "rows" } ], "findings": [ … ], "histogram": [ … ], "source": { … } }',
  ].join('\n'),
  positionals: true,
  options: {
    db: { type: 'string', arg: 'URL', description: 'read pg_stat_statements of this database' },
    'save-snapshot': {
      type: 'string',
      arg: 'FILE',
      description: 'with --db: save the current pg_stat_statements to FILE',
    },
    since: {
      type: 'string',
      arg: 'FILE',
      description: 'with --db: report the difference since the snapshot in FILE',
    },
    json: { type: 'boolean', description: 'print the perfloop/queries@1 JSON' },
    top: { type: 'string', arg: 'N', description: 'statements listed', default: '20' },
    'min-repeats': {
      type: 'string',
      arg: 'N',
      description: 'consecutive same-shape queries in one request that make an N+1',
      default: '5',
    },
    'min-total-ms': {
      type: 'string',
      arg: 'MS',
      description: 'ignore N+1 patterns costing less than this per request',
      default: '0',
    },
    'slow-ms': {
      type: 'string',
      arg: 'MS',
      description: 'a statement with p95 at or above this is slow',
      default: '100',
    },
    gap: {
      type: 'string',
      arg: 'MS',
      description: 'server logs: a pause longer than this starts a new burst of a session',
      default: '50',
    },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    const db = str(v, 'db');
    const opts = {
      top: int(v, 'top', 1),
      minRepeats: int(v, 'min-repeats', 2),
      minTotalMs: num(v, 'min-total-ms'),
      slowMs: num(v, 'slow-ms'),
    };
    let report: QueriesReport;
    if (db) {
      if (positionals.length > 0)
        throw new PerfloopError('USAGE', 'perfloop queries: give either SOURCE or --db URL, not both');
      const runner = await connectPostgres(db);
      let now: StatementsSnapshot;
      try {
        now = await takeStatementsSnapshot(runner);
      } finally {
        await runner.close();
      }
      const save = str(v, 'save-snapshot');
      if (save) writeFileSync(resolve(io.cwd, save), `${JSON.stringify(now)}\n`);
      const sinceFile = str(v, 'since');
      const before = sinceFile ? readSnapshot(resolve(io.cwd, sinceFile)) : null;
      const stats = statementsDelta(before, now);
      const note = before
        ? `pg_stat_statements difference since ${before.takenAt}`
        : 'pg_stat_statements totals since the view was last reset (use --save-snapshot / --since for one run)';
      report = queriesReport(
        {
          queries: [],
          stats,
          kind: 'pg_stat_statements',
          notes: [note, 'p95 estimated from mean and standard deviation'],
        },
        opts,
      );
    } else {
      if (positionals.length !== 1)
        throw new PerfloopError(
          'USAGE',
          'perfloop queries: give one SOURCE (run dir, queries.ndjson, trace file, server log) or --db URL',
          { hint: this.usage },
        );
      if (v['save-snapshot'] || v.since)
        throw new PerfloopError('USAGE', '--save-snapshot and --since need --db URL');
      const source = await loadQuerySource(resolve(io.cwd, positionals[0]), { gapMs: num(v, 'gap') });
      report = queriesReport(source, opts);
    }
    if (v.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
    else printHuman(io, report);
    return EXIT.ok;
  },
};

function num(v: Record<string, unknown>, name: string): number | undefined {
  const s = v[name];
  if (typeof s !== 'string') return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0)
    throw new PerfloopError('USAGE', `--${name}: expected a number ≥ 0, got ${JSON.stringify(s)}`);
  return n;
}

function readSnapshot(path: string): StatementsSnapshot {
  let v: StatementsSnapshot;
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as StatementsSnapshot;
  } catch (e) {
    throw new PerfloopError('SNAPSHOT_INVALID', `cannot read the snapshot ${path}: ${(e as Error).message}`);
  }
  if (v?.schema !== 'perfloop/pg-stat-statements-snapshot@1' || !Array.isArray(v.rows))
    throw new PerfloopError(
      'SNAPSHOT_INVALID',
      `${path} is not a snapshot written by perfloop queries --save-snapshot`,
    );
  return v;
}

function printHuman(io: CommandIO, r: QueriesReport): void {
  const out: string[] = [];
  out.push(
    `${r.source.queries} statements${r.source.requests ? ` in ${r.source.requests} requests` : ''} (${r.source.kind})`,
  );
  for (const n of r.source.notes) out.push(`note: ${n}`);
  out.push('');
  const header = ['calls', 'total', 'mean', 'p95', 'rows', 'query'];
  const ms = (x: number) => (x >= 100 ? `${Math.round(x)}ms` : `${+x.toFixed(2)}ms`);
  const rows = r.top.map((t) => [
    String(t.calls),
    ms(t.totalMs),
    ms(t.meanMs),
    ms(t.p95Ms),
    String(t.rows),
    t.query.length > 100 ? `${t.query.slice(0, 99)}…` : t.query,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((x) => (i === 5 ? 0 : x[i].length))));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 5 ? c : c.padStart(widths[i]))).join('  ');
  out.push(fmt(header), ...rows.map(fmt), '');
  const max = Math.max(1, ...r.histogram.map((b) => b.count));
  out.push('Duration histogram:');
  let lo = 0;
  for (const b of r.histogram) {
    const label = b.leMs === null ? `> ${lo} ms` : `${lo}–${b.leMs} ms`;
    out.push(
      `  ${label.padEnd(14)} ${String(b.count).padStart(8)} ${'█'.repeat(Math.round((40 * b.count) / max))}`,
    );
    lo = b.leMs ?? lo;
  }
  out.push('', r.findings.length === 0 ? 'Findings: none' : 'Findings:');
  for (const f of r.findings)
    out.push(
      `  ${f.severity.padEnd(8)} ${f.rule.padEnd(16)} ${f.title}`,
      `  ${''.padEnd(25)} → ${f.recommendation}`,
    );
  io.out(`${out.join('\n')}\n`);
}
