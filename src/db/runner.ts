/**
 * One database session to run statements on: a PostgreSQL connection (node-postgres) or an embedded PGlite.
 * Analysis needs a single session (transactions, SET LOCAL, hypothetical indexes), never a pool.
 */
import pg from 'pg';
import { PerfloopError } from '../core/errors.js';

export interface SqlRunner {
  readonly kind: 'pg' | 'pglite';
  /** One statement, always with the extended protocol (so a second statement can never ride along). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
}

export interface ClosableRunner extends SqlRunner {
  close(): Promise<void>;
}

/** Anything with PGlite's `query(sql, params)` (kept structural so src/db does not need PGlite's types). */
export interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export function pgliteRunner(db: PgliteLike): SqlRunner {
  return {
    kind: 'pglite',
    async query<T>(sql: string, params: readonly unknown[] = []) {
      try {
        const r = await db.query<T>(sql, [...params]);
        return { rows: r.rows };
      } catch (e) {
        throw sqlError(e);
      }
    },
  };
}

export function pgClientRunner(client: pg.ClientBase): SqlRunner {
  return {
    kind: 'pg',
    async query<T>(sql: string, params: readonly unknown[] = []) {
      try {
        // queryMode 'extended': Parse/Bind/Execute even without parameters, so only one statement runs.
        const r = await client.query({
          text: sql,
          values: [...params],
          queryMode: 'extended',
        } as pg.QueryConfig);
        return { rows: r.rows as T[] };
      } catch (e) {
        throw sqlError(e);
      }
    },
  };
}

/** Connects one session; an unreachable or refusing server is bad input (exit 2) with the reason. */
export async function connectPostgres(
  url: string,
  options: { connectTimeoutMs?: number; applicationName?: string } = {},
): Promise<ClosableRunner> {
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: options.applicationName ?? 'perfloop',
    });
  } catch (e) {
    throw new PerfloopError('DB_URL', `bad database URL ${redactUrl(url)}: ${(e as Error).message}`, {
      hint: 'postgres://user@host:5432/dbname',
    });
  }
  // A server that drops the connection later must not crash the process with an unhandled 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw new PerfloopError(
      'DB_UNREACHABLE',
      `cannot connect to ${redactUrl(url)}: ${(e as Error).message || String(e)}`,
      {
        hint: 'check the URL, that the server runs and accepts this user',
      },
    );
  }
  const runner = pgClientRunner(client);
  return { ...runner, close: () => client.end().catch(() => {}) };
}

/** PostgreSQL errors are the user's SQL or schema: a PerfloopError with SQLSTATE and position. */
export function sqlError(e: unknown): PerfloopError {
  if (e instanceof PerfloopError) return e;
  const err = e as { message?: string; code?: string; position?: string; detail?: string };
  const timeout = err.code === '57014';
  return new PerfloopError(
    timeout ? 'SQL_TIMEOUT' : 'SQL_ERROR',
    `${err.message ?? String(e)}${err.code ? ` (SQLSTATE ${err.code})` : ''}`,
    {
      hint: timeout ? 'the statement hit perfloop’s statement_timeout; raise --timeout' : err.detail,
      exitCode: timeout ? 1 : 2,
      cause: e,
    },
  );
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}
