/**
 * Which statements perfloop will EXPLAIN ANALYZE, and how safely. EXPLAIN ANALYZE *executes* the statement,
 * so: exactly one statement (a second one could never be rolled back by us); a plain SELECT runs in a
 * READ ONLY transaction; INSERT / UPDATE / DELETE / MERGE (and SELECTs that lock or modify through a CTE)
 * run in a transaction that is always rolled back. Nothing else (DDL, COPY, CALL, …) is accepted.
 */
import { PerfloopError } from '../../core/errors.js';
import { parseSql } from '../sql/parser.js';

export interface StatementKind {
  /** Parse-tree node name: SelectStmt, InsertStmt, … */
  kind: string;
  /** SQL command word for messages. */
  command: string;
  /** Runs in a READ ONLY transaction (plain SELECT); otherwise BEGIN … ROLLBACK. */
  readOnly: boolean;
}

const COMMANDS: Record<string, string> = {
  SelectStmt: 'SELECT',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

export function classifyStatement(sql: string): StatementKind {
  const statements = parseSql(sql);
  if (statements.length === 0)
    throw new PerfloopError('SQL_EMPTY', 'no SQL statement given', {
      hint: 'perfloop explain --db URL "SELECT …"',
    });
  if (statements.length > 1)
    throw new PerfloopError(
      'SQL_MULTIPLE',
      `${statements.length} statements given; perfloop explains exactly one`,
      { hint: 'pass one statement, without a trailing second one' },
    );
  const { kind, node } = statements[0];
  const command = COMMANDS[kind];
  if (!command) {
    const hint =
      kind === 'ExplainStmt'
        ? 'pass the statement itself, without EXPLAIN'
        : 'perfloop explains SELECT, INSERT, UPDATE, DELETE and MERGE';
    throw new PerfloopError(
      'SQL_NOT_EXPLAINABLE',
      `cannot explain a ${kind.replace(/Stmt$/, '')} statement`,
      { hint },
    );
  }
  const body = node[kind] as Record<string, unknown>;
  const tree = JSON.stringify(body);
  const modifiesInCte = /"(InsertStmt|UpdateStmt|DeleteStmt|MergeStmt)"/.test(tree);
  const locks = /"lockingClause"/.test(tree);
  const into = kind === 'SelectStmt' && body.intoClause !== undefined;
  if (into)
    throw new PerfloopError(
      'SQL_NOT_EXPLAINABLE',
      'SELECT … INTO creates a table; perfloop does not run it',
      { hint: 'explain the SELECT without INTO' },
    );
  return { kind, command, readOnly: kind === 'SelectStmt' && !modifiesInCte && !locks };
}
