import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { severityRank, type Finding } from '../../core/finding.js';
import type { IndexAdvice } from '../../db/index-advisor/advise.js';
import { parsePlan } from '../../db/plan/index.js';
import { renderPlanText } from '../../db/plan/render-text.js';
import type { Plan } from '../../db/plan/types.js';
import { analysePlan, explainAndAnalyse, planAnalysis } from '../../db/plan-analysis.js';
import { connectPostgres } from '../../db/runner.js';
import type { Command, CommandIO } from '../command.js';
import { int, list, str } from '../parse.js';

export const explainCommand: Command = {
  name: 'explain',
  summary: 'analyse a PostgreSQL plan: rule findings per node, verified index advice',
  usage: 'perfloop explain (FILE | - | --db URL "SQL") [--json] [--no-analyze] [--allow-extension]',
  details: [
    'FILE or - (stdin): the output of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) or the text format (PostgreSQL 12–18,',
    'psql frames and auto_explain output accepted). --db URL "SQL": perfloop runs EXPLAIN (ANALYZE, BUFFERS) itself',
    'and verifies index candidates with the planner ("-" reads the SQL from stdin).',
    '',
    'Safety: EXPLAIN ANALYZE executes the statement. perfloop explains exactly one statement; a SELECT runs inside a',
    'READ ONLY transaction, anything else (INSERT, UPDATE, DELETE, MERGE) inside BEGIN … ROLLBACK. It never commits,',
    'never creates or drops anything in your schema: index candidates are hypothetical (hypopg) or built inside a',
    'transaction that is rolled back (which locks the table against writes while it builds: prefer a staging copy).',
    'CREATE EXTENSION hypopg runs only with --allow-extension. --no-analyze plans without executing anything.',
    'Not given back by a rollback: sequence values an INSERT consumed (PostgreSQL sequences are not transactional).',
    '',
    'JSON (--json): { "schema": "perfloop/plan-analysis@1", "planningMs", "executionMs", "findings": [ … ],',
    '"indexAdvice": [ { "table", "columns", "sql", "costBefore", "costAfter" } ] }',
  ].join('\n'),
  positionals: true,
  options: {
    db: { type: 'string', arg: 'URL', description: 'run EXPLAIN on this PostgreSQL database (postgres://…)' },
    json: { type: 'boolean', description: 'print the perfloop/plan-analysis@1 JSON' },
    'no-analyze': { type: 'boolean', description: 'with --db: plan only, do not execute the statement' },
    'allow-extension': {
      type: 'boolean',
      description: 'with --db: may CREATE EXTENSION hypopg for hypothetical indexes',
    },
    param: {
      type: 'string',
      arg: 'VALUE',
      multiple: true,
      description: 'with --db: value for $1, $2, … (default: sampled from the tables)',
    },
    timeout: {
      type: 'string',
      arg: 'MS',
      description: 'with --db: statement_timeout for each statement',
      default: '30000',
    },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    const db = str(v, 'db');
    if (positionals.length !== 1)
      throw new PerfloopError(
        'USAGE',
        db
          ? 'perfloop explain --db URL: give one SQL statement (or - for stdin)'
          : 'perfloop explain: give one FILE (or - for stdin)',
        { hint: this.usage },
      );
    const input = positionals[0];
    if (!db) {
      if (v['no-analyze'] || v['allow-extension'] || list(v, 'param').length > 0)
        throw new PerfloopError('USAGE', '--no-analyze, --allow-extension and --param need --db URL');
      const plan = parsePlan(readInput(input, io));
      const findings = analysePlan(plan);
      return print(io, !!v.json, plan, findings, [], null);
    }
    const sql = input === '-' ? readInput('-', io) : input;
    const runner = await connectPostgres(db);
    try {
      const params = list(v, 'param');
      const res = await explainAndAnalyse(runner, sql, {
        analyze: !v['no-analyze'],
        allowExtension: !!v['allow-extension'],
        params: params.length > 0 ? params : undefined,
        timeoutMs: int(v, 'timeout', 1),
      });
      const e = res.explain;
      const how = e.analyzed
        ? `executed inside a ${e.statement.readOnly ? 'READ ONLY ' : ''}transaction that was rolled back`
        : 'planned only, not executed';
      const paramNote =
        e.params.length > 0
          ? `; parameters: ${e.params.map((p, i) => `$${i + 1} = ${JSON.stringify(p.value)} (${p.source})`).join(', ')}`
          : '';
      const verified = res.advice?.method
        ? `; index candidates verified with ${res.advice.method === 'hypopg' ? 'hypothetical indexes (hypopg)' : 'real indexes in rolled-back transactions'}`
        : '';
      return print(
        io,
        !!v.json,
        e.plan,
        res.analysis.findings,
        res.analysis.indexAdvice,
        `${e.statement.command}: ${how}${paramNote}${verified}${e.note ? `; ${e.note}` : ''}`,
      );
    } finally {
      await runner.close();
    }
  },
};

function readInput(input: string, io: CommandIO): string {
  try {
    return readFileSync(input === '-' ? 0 : resolve(io.cwd, input), 'utf8');
  } catch (e) {
    throw new PerfloopError(
      'INPUT',
      `cannot read ${input === '-' ? 'stdin' : input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

function print(
  io: CommandIO,
  json: boolean,
  plan: Plan,
  findings: Finding[],
  advice: IndexAdvice[],
  how: string | null,
) {
  if (json) {
    io.out(`${JSON.stringify(planAnalysis(plan, findings, advice), null, 2)}\n`);
    return EXIT.ok;
  }
  const out: string[] = [];
  const t = (x: number | null) => (x === null ? '–' : `${x} ms`);
  out.push(
    `Planning ${t(plan.planningMs)} · execution ${t(plan.executionMs)} · ${plan.nodes.length} nodes${plan.analyzed ? '' : ' · not analysed (no actual rows or times)'}`,
  );
  if (how) out.push(how);
  out.push('', renderPlanText(plan), '');
  const shown = findings
    .filter((f) => f.severity !== 'info' || f.rule === 'db.hot-node')
    .sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) || b.estimatedImpact.pct - a.estimatedImpact.pct,
    );
  out.push(shown.length === 0 ? 'Findings: none' : 'Findings:');
  for (const f of shown)
    out.push(
      `  ${f.severity.padEnd(8)} ${f.rule.padEnd(24)} ${f.title}`,
      `  ${''.padEnd(8)} ${''.padEnd(24)} → ${f.recommendation}`,
    );
  if (advice.length > 0) {
    out.push('', 'Index advice (verified with the planner):');
    for (const a of advice) out.push(`  ${a.sql}   -- cost ${a.costBefore} → ${a.costAfter}`);
  }
  io.out(`${out.join('\n')}\n`);
  return EXIT.ok;
}
