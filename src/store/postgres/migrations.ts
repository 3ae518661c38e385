import type pg from 'pg';

/**
 * The PostgreSQL store's schema, version for version the SQLite store's (src/store/sqlite/migrations.ts): the
 * same tables and columns in PostgreSQL's types, so runs copy between them unchanged. Two additions, both for
 * many machines sharing one store: `runs.seq` orders runs started in the same millisecond (SQLite's rowid),
 * and `artifact_blobs` keeps artifact bytes by content hash (a CI job's run folder is gone once the job ends).
 * Append new versions; never edit a released one.
 */
export const PG_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE runs (
        seq         BIGSERIAL NOT NULL,
        id          TEXT PRIMARY KEY,
        started_at  TEXT NOT NULL,
        label       TEXT NOT NULL DEFAULT '',
        target      TEXT NOT NULL DEFAULT '',
        scenario    TEXT NOT NULL DEFAULT '',
        git_sha     TEXT,
        git_branch  TEXT,
        duration_s  DOUBLE PRECISION NOT NULL,
        machine     TEXT NOT NULL,
        p50_ms      DOUBLE PRECISION,
        p95_ms      DOUBLE PRECISION,
        p99_ms      DOUBLE PRECISION,
        rps         DOUBLE PRECISION,
        error_rate  DOUBLE PRECISION,
        out_dir     TEXT,
        record      TEXT NOT NULL
      );
      CREATE INDEX runs_started_at ON runs(started_at, seq);
      CREATE INDEX runs_label ON runs(label);
      CREATE INDEX runs_git_sha ON runs(git_sha);
      CREATE TABLE metrics (
        run_id    TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name      TEXT NOT NULL,
        summary   TEXT NOT NULL,
        histogram TEXT,
        PRIMARY KEY (run_id, name)
      );
      CREATE TABLE intervals (
        run_id    TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        t         BIGINT NOT NULL,
        count     BIGINT NOT NULL,
        errors    BIGINT NOT NULL,
        histogram TEXT NOT NULL,
        PRIMARY KEY (run_id, t)
      );
      CREATE TABLE findings (
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        rule       TEXT NOT NULL,
        area       TEXT NOT NULL,
        severity   TEXT NOT NULL,
        title      TEXT NOT NULL,
        impact_pct DOUBLE PRECISION NOT NULL,
        finding    TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
      CREATE INDEX findings_rule ON findings(rule);
      CREATE TABLE artifacts (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        path   TEXT NOT NULL,
        PRIMARY KEY (run_id, name)
      );
    `,
  },
  {
    version: 2,
    sql: `
      ALTER TABLE artifacts ADD COLUMN bytes BIGINT;
      ALTER TABLE artifacts ADD COLUMN sha256 TEXT;
      ALTER TABLE runs ADD COLUMN scenario_id TEXT;
      CREATE INDEX runs_scenario_id ON runs(scenario_id);
      CREATE TABLE artifact_blobs (
        sha256  TEXT PRIMARY KEY,
        content BYTEA NOT NULL
      );
    `,
  },
];

/**
 * Brings the schema up to date. Parallel CI jobs open the store at the same moment: an advisory lock held for
 * the transaction makes exactly one of them migrate while the others wait and then find nothing to do.
 */
export async function migratePg(client: pg.PoolClient): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('perfloop-store-migrations'))");
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const current = Number(
      (await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0].v ?? 0,
    );
    for (const m of PG_MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)', [
        m.version,
        new Date().toISOString(),
      ]);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return PG_MIGRATIONS.at(-1)!.version;
}
