import { isAbsolute, resolve } from 'node:path';
import type { RunRecord } from '../core/run.js';
import { DEFAULT_STORE_PATH, type RunStore } from './run-store.js';
import { SqliteRunStore } from './sqlite/sqlite-store.js';

/** A PostgreSQL connection URL (the team store) rather than a SQLite file path. */
export const isStoreUrl = (s: string) => /^postgres(?:ql)?:\/\//i.test(s);

/**
 * Where the store is: the value given (`--store`), else `PERFLOOP_STORE`, else `.perfloop/perfloop.db`. A path is
 * resolved against `cwd`; a postgres:// URL is kept as it is.
 */
export function storeLocation(cwd: string, value?: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = value ?? (env.PERFLOOP_STORE || undefined) ?? DEFAULT_STORE_PATH;
  if (isStoreUrl(given)) return given;
  return isAbsolute(given) ? given : resolve(cwd, given);
}

/** A command-line word with any URL password in it replaced (records keep the command that made them). */
export const redactUrlPassword = (word: string) => word.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/gi, '$1***@');

/**
 * Opens the store at a path (SQLite) or a `postgres://` / `postgresql://` URL (PostgreSQL; the pg client is loaded
 * only then). Without an argument: `PERFLOOP_STORE`, else the default SQLite file.
 */
export async function openStore(pathOrUrl?: string): Promise<RunStore> {
  const where = storeLocation(process.cwd(), pathOrUrl);
  if (!isStoreUrl(where)) return SqliteRunStore.open(where);
  const { PostgresRunStore } = await import('./postgres/pg-store.js');
  return PostgresRunStore.open(where);
}

/** Saves one run (its record and its folder's artifacts) to the store at `storePath`, if one was asked for. */
export async function storeRun(storePath: string | null, record: RunRecord, runDir: string): Promise<void> {
  if (storePath === null) return;
  const store = await openStore(storePath);
  try {
    await store.save(record, runDir);
  } finally {
    await store.close();
  }
}
