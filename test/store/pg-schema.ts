import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testPgUrl } from '../helpers.js';

/**
 * A store URL on the test cluster with a schema of its own (`?schema=`), so store tests never see each other's
 * runs nor the db tests' tables; `drop()` removes it.
 */
export function pgStoreUrl(): { url: string; drop: () => Promise<void> } | undefined {
  const base = testPgUrl();
  if (!base) return undefined;
  const schema = `perfloop_store_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return {
    url: url.href,
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
