import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { unusedAndDuplicateIndexes } from '../../db/index-advisor/unused.js';
import { workloadAdvice, type WorkloadStatement } from '../../db/index-advisor/workload.js';
import { connectPostgres } from '../../db/runner.js';
import { takeStatementsSnapshot } from '../../db/sources/pg-stat-statements.js';
import type { Command } from '../command.js';
import { int, str } from '../parse.js';

export const indexesCommand: Command = {
  name: 'indexes',
  summary: 'workload-wide index advice (verified), unused and duplicate indexes',
  usage: 'perfloop indexes --db URL [--sql FILE] [--top N] [--json] [--allow-extension]',
  details: [
    'Reads the statements that cost the most time in total from pg_stat_statements (and, with --sql FILE,',
    'statements with their constants, one per ";"), proposes multicolumn indexes (equality columns, then range,',
    'then ORDER BY) and partial indexes for constant predicates — for a $n hidden by pg_stat_statements, for the',
    "rare values in the column's pg_stats (the advice says so) — verifies each with the planner on every",
    'statement it could serve, and ranks them by the time saved over all calls, with the write cost stated.',
    'Also lists indexes never scanned (pg_stat_user_indexes) and duplicates (same or prefix key columns), with',
    'their size; indexes that enforce a constraint are never listed.',
    '',
    'Safety: nothing is committed. Candidates are hypothetical (hypopg) or built in a transaction that is rolled',
    'back (which locks the table against writes while it builds: prefer a staging copy). --allow-extension may',
    'run CREATE EXTENSION hypopg.',
    '',
    'JSON (--json): { "schema": "perfloop/indexes@1", "recommendations": [ { "create", "table", "columns",',
    '"where", "include", "statements", "estimatedSavingMs", "writeCost", "verified": true } ], "unused": [',
    '{ "index", "table", "sizeBytes", "scans" } ], "duplicates": [ { "index", "duplicateOf", "sizeBytes" } ] }',
  ].join('\n'),
  positionals: false,
  options: {
    db: { type: 'string', arg: 'URL', description: 'the PostgreSQL database (postgres://…)' },
    sql: { type: 'string', arg: 'FILE', description: 'statements with constants (captured), one per ";"' },
    top: { type: 'string', arg: 'N', description: 'recommendations at most', default: '5' },
    json: { type: 'boolean', description: 'print the perfloop/indexes@1 JSON' },
    'allow-extension': {
      type: 'boolean',
      description: 'may CREATE EXTENSION hypopg for hypothetical indexes',
    },
    timeout: {
      type: 'string',
      arg: 'MS',
      description: 'statement_timeout for each statement',
      default: '30000',
    },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, _positionals, io) {
    const db = str(v, 'db');
    if (!db) throw new PerfloopError('USAGE', 'perfloop indexes: give --db URL', { hint: this.usage });
    const given = readStatements(str(v, 'sql'), io.cwd);
    const runner = await connectPostgres(db);
    try {
      const notes: string[] = [];
      let statements: WorkloadStatement[] = [...given];
      try {
        const snap = await takeStatementsSnapshot(runner);
        statements.push(...snap.rows.map((r) => ({ sql: r.query, calls: r.calls, totalMs: r.totalMs })));
      } catch (e) {
        if (!(e instanceof PerfloopError)) throw e;
        notes.push(`${e.message}: only the statements of --sql were used`);
      }
      statements = statements.filter((s) => !/\b(pg_catalog|information_schema|pg_stat)\b/i.test(s.sql));
      const advice = await workloadAdvice(runner, statements, {
        top: int(v, 'top', 1),
        allowExtension: !!v['allow-extension'],
        timeoutMs: int(v, 'timeout', 1),
        signal: io.signal,
      });
      const { unused, duplicates } = await unusedAndDuplicateIndexes(runner);
      const doc = {
        schema: 'perfloop/indexes@1',
        recommendations: advice.recommendations,
        unused,
        duplicates,
        method: advice.method,
        notes: [...notes, ...advice.notes],
      };
      if (v.json) io.out(`${JSON.stringify(doc, null, 2)}\n`);
      else io.out(render(doc));
      return EXIT.ok;
    } finally {
      await runner.close();
    }
  },
};

function readStatements(file: string | undefined, cwd: string): WorkloadStatement[] {
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new PerfloopError(
      'INPUT',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  return text
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((sql) => ({ sql, calls: 1, totalMs: 0 }));
}

function render(doc: {
  recommendations: Awaited<ReturnType<typeof workloadAdvice>>['recommendations'];
  unused: { index: string; table: string; sizeBytes: number }[];
  duplicates: { index: string; duplicateOf: string; sizeBytes: number }[];
  method: string;
  notes: string[];
}): string {
  const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
  const out = [
    `Index advice (verified with ${doc.method === 'hypopg' ? 'hypothetical indexes (hypopg)' : 'real indexes in rolled-back transactions'}):`,
  ];
  if (doc.recommendations.length === 0) out.push('  none');
  for (const r of doc.recommendations) {
    out.push(`  ${r.create}`);
    out.push(
      `      saves ~${r.estimatedSavingMs} ms over ${r.statements.length} statement(s); ${r.writeCost?.note ?? 'write cost unknown'}`,
    );
    if (r.basis) out.push(`      rests on ${r.basis}`);
  }
  out.push('', 'Unused indexes (never scanned):');
  if (doc.unused.length === 0) out.push('  none');
  for (const u of doc.unused) out.push(`  ${u.index} on ${u.table} (${mb(u.sizeBytes)})`);
  out.push('', 'Duplicate indexes:');
  if (doc.duplicates.length === 0) out.push('  none');
  for (const d of doc.duplicates) out.push(`  ${d.index} duplicates ${d.duplicateOf} (${mb(d.sizeBytes)})`);
  for (const n of doc.notes) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}
