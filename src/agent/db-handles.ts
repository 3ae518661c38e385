import type { QueryRecorder } from './query-recorder.js';

type Queryable = { query: (sql: string, params?: unknown[]) => Promise<{ rows?: unknown[] }> };
type PgliteLike = Queryable & {
  transaction: <T>(cb: (tx: Queryable & { rollback: () => Promise<void> }) => Promise<T>) => Promise<T>;
};
type PgPoolLike = { connect: () => Promise<Queryable & { release: (err?: unknown) => void }> };

/**
 * The database handles the target itself uses (the PGlite instance or pg pool its queries ran on), so the CLI
 * can ask the same database for plans: EXPLAIN of the slow statements, costs with a candidate index. Every
 * statement runs inside a transaction that is always rolled back, and is not recorded as the target's own query.
 */
export class DbHandles {
  private pglite: WeakRef<PgliteLike> | null = null;
  private pool: WeakRef<PgPoolLike> | null = null;

  notePglite(instance: unknown): void {
    if (
      instance &&
      typeof (instance as PgliteLike).transaction === 'function' &&
      this.pglite?.deref() !== instance
    ) {
      this.pglite = new WeakRef(instance as PgliteLike);
    }
  }

  notePgPool(pool: unknown): void {
    if (pool && typeof (pool as PgPoolLike).connect === 'function' && this.pool?.deref() !== pool) {
      this.pool = new WeakRef(pool as PgPoolLike);
    }
  }

  /** Which database the CLI would reach: 'pglite', 'pg' or null. */
  available(): 'pglite' | 'pg' | null {
    return this.pglite?.deref() ? 'pglite' : this.pool?.deref() ? 'pg' : null;
  }

  /** Runs the statements in order inside one transaction that is rolled back; returns each one's rows. */
  async rollbackRun(
    statements: string[],
    recorder: QueryRecorder,
  ): Promise<{ driver: string; results: unknown[][] }> {
    if (!Array.isArray(statements) || statements.some((s) => typeof s !== 'string'))
      throw new Error('statements must be strings');
    const wasEnabled = recorder.enabled;
    recorder.enabled = false;
    try {
      const lite = this.pglite?.deref();
      if (lite) {
        const results: unknown[][] = [];
        await lite
          .transaction(async (tx) => {
            for (const s of statements) results.push((await tx.query(s)).rows ?? []);
            await tx.rollback();
          })
          .catch((e: unknown) => {
            if (results.length < statements.length) throw e;
          });
        return { driver: 'pglite', results };
      }
      const pool = this.pool?.deref();
      if (pool) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const results: unknown[][] = [];
          for (const s of statements) results.push((await client.query(s)).rows ?? []);
          return { driver: 'pg', results };
        } finally {
          await client.query('ROLLBACK').catch(() => {});
          client.release();
        }
      }
      throw new Error('the target has used no PGlite instance or pg pool yet');
    } finally {
      recorder.enabled = wasEnabled;
    }
  }
}
