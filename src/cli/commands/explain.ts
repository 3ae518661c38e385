import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { severityRank, type Finding } from '../../core/finding.js';
import type { IndexAdvice } from '../../db/index-advisor/advise.js';
import { diffPlans, renderPlanDiff } from '../../db/plan/diff.js';
import { warningsOfPlan, type ParsedPlans } from '../../db/plan/index.js';
import { parsePlansStoppable } from '../../db/plan/parse-worker.js';
import { renderPlanText } from '../../db/plan/render-text.js';
import type { Plan } from '../../db/plan/types.js';
import {
  analysePlan,
  EXPLAIN_SCHEMA,
  explainAndAnalyse,
  explainedPlan,
  type ExplainDocument,
} from '../../db/plan-analysis.js';
import { connectPostgres } from '../../db/runner.js';
import type { Command, CommandIO } from '../command.js';
import { int, list, str } from '../parse.js';

export const explainCommand: Command = {
  name: 'explain',
  summary: 'analyse a PostgreSQL plan: rule findings per node, verified index advice',
  usage:
    'perfloop explain (FILE | - | --db URL "SQL") [--json] [--diff OTHER] [--no-analyze] [--allow-extension]',
  details: [
    'FILE or - (stdin): EXPLAIN output in text, JSON, YAML or XML (PostgreSQL 9.x–18) as it was pasted: psql frames',
    '(ascii/unicode, border 0–2), DBeaver/pgAdmin/CSV quoting, a command or comment above it, lines a terminal',
    'wrapped, auto_explain entries, several plans in one output (each is analysed). A line that cannot be placed is',
    'reported with its line number (exit 2 when the tree would be wrong). --db URL "SQL": perfloop runs EXPLAIN',
    '(ANALYZE, BUFFERS) itself and verifies index candidates with the planner ("-" reads the SQL from stdin).',
    '--diff OTHER: compare with a second plan of the same statement (OTHER is the plan after the change): nodes',
    'matched, with node type, time, rows, loops and buffer changes.',
    '',
    'Safety: EXPLAIN ANALYZE executes the statement. perfloop explains exactly one statement; a SELECT runs inside a',
    'READ ONLY transaction, anything else (INSERT, UPDATE, DELETE, MERGE) inside BEGIN … ROLLBACK. It never commits,',
    'never creates or drops anything in your schema: index candidates are hypothetical (hypopg) or built inside a',
    'transaction that is rolled back (which locks the table against writes while it builds: prefer a staging copy).',
    'CREATE EXTENSION hypopg runs only with --allow-extension. --no-analyze plans without executing anything.',
    'Not given back by a rollback: sequence values an INSERT consumed (PostgreSQL sequences are not transactional).',
    '',
    'JSON (--json): { "schema": "perfloop/explain@1", "plans": [ { "nodes", "root", "planningMs", "executionMs",',
    '"findings": [ … ], "warnings": [ … ] } ], "advice": [ { "table", "columns", "sql", "costBefore", "costAfter" } ],',
    '"diff": { "schema": "perfloop/plan-diff@1", … } (with --diff) } — one entry per plan of the input.',
  ].join('\n'),
  positionals: true,
  options: {
    db: { type: 'string', arg: 'URL', description: 'run EXPLAIN on this PostgreSQL database (postgres://…)' },
    json: { type: 'boolean', description: 'print the perfloop/explain@1 JSON' },
    diff: {
      type: 'string',
      arg: 'OTHER',
      description: 'compare with the plan in OTHER (the plan after a change)',
    },
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
      const parsed = await readPlans(input, io);
      const other = str(v, 'diff');
      const after = other ? await readPlans(other, io) : null;
      return print(io, !!v.json, parsed, [], null, after);
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
      const parsed: ParsedPlans = { format: 'json', plans: [e.plan], warnings: [], startLines: [1] };
      return print(
        io,
        !!v.json,
        parsed,
        res.analysis.indexAdvice,
        `${e.statement.command}: ${how}${paramNote}${verified}${e.note ? `; ${e.note}` : ''}`,
        null,
        [res.analysis.findings],
      );
    } finally {
      await runner.close();
    }
  },
};

async function readPlans(input: string, io: CommandIO): Promise<ParsedPlans> {
  const text = readInput(input, io);
  // a plan of megabytes (thousands of nodes deep) takes a moment: say so, Ctrl-C stops it
  if (text.length >= 4 << 20)
    io.err(`perfloop: reading ${Math.round(text.length / (1 << 20))} MB of plan text (${input}) …\n`);
  return parsePlansStoppable(text, io.signal);
}

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
  parsed: ParsedPlans,
  advice: IndexAdvice[],
  how: string | null,
  after: ParsedPlans | null,
  findingsPerPlan: Finding[][] = parsed.plans.map((p) => analysePlan(p)),
) {
  const diff = after ? diffPlans(parsed.plans[0], after.plans[0]) : null;
  if (json) {
    const doc: ExplainDocument = {
      schema: EXPLAIN_SCHEMA,
      plans: parsed.plans.map((p, i) => explainedPlan(p, findingsPerPlan[i], warningsOfPlan(parsed, i))),
      advice,
      ...(diff ? { diff } : {}),
    };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const w of parsed.warnings) io.err(`perfloop: warning: ${w}\n`);
  const out: string[] = [];
  parsed.plans.forEach((plan, i) => {
    if (parsed.plans.length > 1) out.push(`${i > 0 ? '\n' : ''}Plan ${i + 1} of ${parsed.plans.length}`);
    out.push(...planText(plan, findingsPerPlan[i], i === 0 ? how : null));
  });
  if (advice.length > 0) {
    out.push('', 'Index advice (verified with the planner):');
    for (const a of advice) out.push(`  ${a.sql}   -- cost ${a.costBefore} → ${a.costAfter}`);
  }
  if (diff) out.push('', 'Plan diff (before → after):', renderPlanDiff(diff));
  io.out(`${out.join('\n')}\n`);
  return EXIT.ok;
}

function planText(plan: Plan, findings: Finding[], how: string | null): string[] {
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
  return out;
}
