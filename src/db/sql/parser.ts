/**
 * The real PostgreSQL parser (libpg-query: the server's own grammar compiled to WebAssembly), loaded once.
 * Loading is awaited at import time so every caller can use the synchronous API; if the module cannot load
 * (an unusual platform), `sqlParserAvailable` is false and callers fall back to their light lexers.
 */
import * as pgQuery from 'libpg-query';
import { PerfloopError } from '../../core/errors.js';

let loaded = false;
try {
  await pgQuery.loadModule();
  loaded = true;
} catch {
  loaded = false;
}

export const sqlParserAvailable = (): boolean => loaded;

/** One parsed statement: the raw parse-tree node (`{ SelectStmt: {…} }`) and where it sits in the input. */
export interface ParsedStatement {
  node: Record<string, unknown>;
  kind: string;
}

/** Parse tree of `sql`, or the parser's error message. Never throws. */
export function tryParseSql(
  sql: string,
): { ok: true; statements: ParsedStatement[] } | { ok: false; error: string } {
  if (!loaded) return { ok: false, error: 'the PostgreSQL parser (libpg-query) could not be loaded' };
  try {
    const tree = pgQuery.parseSync(sql) as unknown as { stmts?: { stmt?: Record<string, unknown> }[] };
    const statements = (tree.stmts ?? [])
      .map((s) => s.stmt)
      .filter((s): s is Record<string, unknown> => !!s)
      .map((node) => ({ node, kind: Object.keys(node)[0] ?? 'unknown' }));
    return { ok: true, statements };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Parse tree of `sql`; a syntax error is bad input (exit 2) naming the parser's message. */
export function parseSql(sql: string): ParsedStatement[] {
  const r = tryParseSql(sql);
  if (!r.ok)
    throw new PerfloopError('SQL_SYNTAX', `cannot parse the SQL: ${r.error}`, {
      hint: 'pass one PostgreSQL statement',
    });
  return r.statements;
}

/** libpg-query fingerprint (hex): equal for statements that differ only in constants, whitespace, IN-list length. */
export function pgFingerprint(sql: string): string | null {
  if (!loaded) return null;
  try {
    return pgQuery.fingerprintSync(sql);
  } catch {
    return null;
  }
}

/** Constants replaced by `$n` (pg_stat_statements' normal form), or null when the parser rejects the text. */
export function pgNormalize(sql: string): string | null {
  if (!loaded) return null;
  try {
    return pgQuery.normalizeSync(sql);
  } catch {
    return null;
  }
}
