import type Database from 'better-sqlite3';

/**
 * Versioned schema migrations, applied in order inside one transaction each. Append new versions; never edit
 * a released one (stores on users' disks were made by it).
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        started_at  TEXT NOT NULL,
        label       TEXT NOT NULL DEFAULT '',
        target      TEXT NOT NULL DEFAULT '',
        scenario    TEXT NOT NULL DEFAULT '',
        git_sha     TEXT,
        git_branch  TEXT,
        duration_s  REAL NOT NULL,
        machine     TEXT NOT NULL,
        p50_ms      REAL,
        p95_ms      REAL,
        p99_ms      REAL,
        rps         REAL,
        error_rate  REAL,
        out_dir     TEXT,
        record      TEXT NOT NULL
      );
      CREATE INDEX runs_started_at ON runs(started_at);
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
        t         INTEGER NOT NULL,
        count     INTEGER NOT NULL,
        errors    INTEGER NOT NULL,
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
        impact_pct REAL NOT NULL,
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
    // Run folders: every artifact with its size and content hash; runs grouped by scenario fingerprint.
    version: 2,
    sql: `
      ALTER TABLE artifacts ADD COLUMN bytes INTEGER;
      ALTER TABLE artifacts ADD COLUMN sha256 TEXT;
      ALTER TABLE runs ADD COLUMN scenario_id TEXT;
      CREATE INDEX runs_scenario_id ON runs(scenario_id);
    `,
  },
];

export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const current = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
    })();
  }
  return MIGRATIONS.at(-1)!.version;
}
