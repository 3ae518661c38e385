import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PerfloopError } from '../../core/errors.js';
import type { RunRecord } from '../../core/run.js';
import { describeArtifacts, type ArtifactEntry } from '../artifacts.js';
import { listItem, metricRows, parseRecord, runColumns } from '../record-rows.js';
import { likePrefix, resolveRef, type RefQuery, type RunListItem, type RunStore } from '../run-store.js';
import { migrate } from './migrations.js';
import { filterWhere, LIST_COLUMNS, type RunFilter, type RunPage, type ScenarioSummary } from '../run-filter.js';

const BY_START = 'ORDER BY started_at DESC, rowid DESC LIMIT 1';

/** The SQL that answers one run-reference query (see resolveRef). */
const REF_SQL: Record<RefQuery['kind'], string> = {
  latest: `SELECT record FROM runs ${BY_START}`,
  'newest-labelled': `SELECT record FROM runs WHERE label = ? ${BY_START}`,
  oldest: 'SELECT record FROM runs ORDER BY started_at ASC, rowid ASC LIMIT 1',
  id: 'SELECT record FROM runs WHERE id = ?',
  'id-prefix': `SELECT record FROM runs WHERE id LIKE ? ESCAPE '\\' ${BY_START}`,
  'sha-prefix': `SELECT record FROM runs WHERE git_sha LIKE ? ESCAPE '\\' ${BY_START}`,
};

/**
 * The run store in one SQLite file (better-sqlite3, WAL): the default, one developer's history. Artifacts stay
 * in their run folders; the store records each file's path, size and hash.
 */
export class SqliteRunStore implements RunStore {
  readonly kind = 'sqlite';
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static open(path: string): SqliteRunStore {
    const full = resolve(path);
    try {
      mkdirSync(dirname(full), { recursive: true });
      const db = new Database(full);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      return new SqliteRunStore(db, full);
    } catch (e) {
      throw new PerfloopError('STORE_OPEN', `cannot open the run store at ${full}: ${(e as Error).message}`, {
        hint: 'pass --store PATH to use another file',
        cause: e,
      });
    }
  }

  async save(record: RunRecord, outDir?: string): Promise<void> {
    this.saveSync(record, outDir ?? null, outDir ? describeArtifacts(outDir, record.artifacts) : {});
  }

  async saveWithArtifacts(
    record: RunRecord,
    outDir: string | null,
    artifacts: Record<string, ArtifactEntry>,
  ): Promise<void> {
    this.saveSync(record, outDir, artifacts);
  }

  private saveSync(record: RunRecord, outDir: string | null, files: Record<string, ArtifactEntry>): void {
    const id = record.run.id;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO runs (id, started_at, label, target, scenario, scenario_id, git_sha, git_branch,
             duration_s, machine, p50_ms, p95_ms, p99_ms, rps, error_rate, out_dir, record)
           VALUES (@id, @startedAt, @label, @target, @scenario, @scenarioId, @gitSha, @gitBranch, @durationS, @machine,
             @p50, @p95, @p99, @rps, @errorRate, @outDir, @record)`,
        )
        .run(runColumns(record, outDir));
      for (const table of ['metrics', 'intervals', 'findings', 'artifacts']) {
        this.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(id);
      }
      const insertMetric = this.db.prepare('INSERT INTO metrics (run_id, name, summary, histogram) VALUES (?, ?, ?, ?)');
      for (const m of metricRows(record)) insertMetric.run(id, m.name, m.summary, m.histogram);
      const insertInterval = this.db.prepare(
        'INSERT INTO intervals (run_id, t, count, errors, histogram) VALUES (?, ?, ?, ?, ?)',
      );
      for (const i of record.intervals) insertInterval.run(id, i.t, i.count, i.errors, i.histogram);
      const insertFinding = this.db.prepare(
        `INSERT INTO findings (run_id, seq, rule, area, severity, title, impact_pct, finding)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      record.findings.forEach((f, seq) =>
        insertFinding.run(id, seq, f.rule, f.area, f.severity, f.title, f.estimatedImpact.pct, JSON.stringify(f)),
      );
      const insertArtifact = this.db.prepare(
        'INSERT INTO artifacts (run_id, name, path, bytes, sha256) VALUES (?, ?, ?, ?, ?)',
      );
      for (const [name, a] of Object.entries(files)) insertArtifact.run(id, name, a.path, a.bytes, a.sha256);
    })();
  }

  async list(options: { limit?: number; label?: string } = {}): Promise<RunListItem[]> {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.started_at, r.label, r.target, r.git_sha, r.p95_ms, r.rps, r.error_rate, r.out_dir,
                r.scenario, r.scenario_id, CASE WHEN r.scenario_id IS NULL THEN r.record END AS record,
                (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id) AS findings
         FROM runs r ${options.label === undefined ? '' : 'WHERE r.label = @label'}
         ORDER BY r.started_at DESC, r.rowid DESC LIMIT @limit`,
      )
      .all({ limit: options.limit ?? 50, label: options.label }) as Record<string, unknown>[];
    return rows.map(listItem);
  }

  async page(filter: RunFilter & { offset?: number; limit?: number; count?: boolean } = {}): Promise<RunPage> {
    const { where, params } = sqliteFilter(filter);
    const total =
      filter.count === false ? null : (this.db.prepare(`SELECT COUNT(*) AS n FROM runs r ${where}`).get(params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT ${LIST_COLUMNS} FROM runs r ${where} ORDER BY r.started_at DESC, r.rowid DESC LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: filter.limit ?? 50, offset: filter.offset ?? 0 }) as Record<string, unknown>[];
    return { total, runs: rows.map((row) => ({ ...listItem(row), gitBranch: row.git_branch as string | null })) };
  }

  async scenarios(filter: RunFilter = {}): Promise<ScenarioSummary[]> {
    const { where, params } = sqliteFilter(filter);
    if (where === '') {
      // Unfiltered (the dashboard's first page): counts from the scenario index, then each scenario's newest run
      // through the same index — a full scan of a 10,000-run table for MAX() costs ~10× more.
      const counts = this.db.prepare('SELECT scenario_id AS id, COUNT(*) AS n FROM runs GROUP BY scenario_id').all() as { id: string | null; n: number }[];
      const newest = this.db.prepare('SELECT scenario, started_at FROM runs WHERE scenario_id = ? ORDER BY started_at DESC LIMIT 1');
      const newestLegacy = this.db.prepare('SELECT scenario, started_at FROM runs WHERE scenario_id IS NULL ORDER BY started_at DESC LIMIT 1');
      return counts
        .map((c) => {
          const row = (c.id === null ? newestLegacy.get() : newest.get(c.id)) as { scenario: string; started_at: string };
          return { id: c.id ?? '', description: row.scenario, runs: c.n, lastStartedAt: row.started_at };
        })
        .sort((a, b) => (a.lastStartedAt < b.lastStartedAt ? 1 : a.lastStartedAt > b.lastStartedAt ? -1 : 0));
    }
    return (
      this.db
        .prepare(
          `SELECT COALESCE(r.scenario_id, '') AS id, MAX(r.scenario) AS description, COUNT(*) AS runs,
                  MAX(r.started_at) AS last FROM runs r ${where}
           GROUP BY COALESCE(r.scenario_id, '') ORDER BY last DESC`,
        )
        .all(params) as { id: string; description: string; runs: number; last: string }[]
    ).map((s) => ({ id: s.id, description: s.description, runs: s.runs, lastStartedAt: s.last }));
  }

  async records(filter: RunFilter & { limit?: number } = {}): Promise<RunRecord[]> {
    const { where, params } = sqliteFilter(filter);
    const rows = this.db
      .prepare(`SELECT record FROM runs r ${where} ORDER BY r.started_at DESC, r.rowid DESC LIMIT @limit`)
      .all({ ...params, limit: filter.limit ?? 200 }) as { record: string }[];
    return rows.reverse().map((r) => parseRecord(r.record));
  }

  async artifacts(runId: string): Promise<Record<string, ArtifactEntry>> {
    const rows = this.db
      .prepare('SELECT name, path, bytes, sha256 FROM artifacts WHERE run_id = ? AND sha256 IS NOT NULL ORDER BY name')
      .all(runId) as { name: string; path: string; bytes: number; sha256: string }[];
    return Object.fromEntries(rows.map((a) => [a.name, { path: a.path, bytes: a.bytes, sha256: a.sha256 }]));
  }

  async localArtifact(entry: ArtifactEntry): Promise<ArtifactEntry> {
    return entry;
  }

  async outDir(runId: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT out_dir FROM runs WHERE id = ?').get(runId) as { out_dir: string | null } | undefined;
    return row?.out_dir ?? undefined;
  }

  async delete(runId: string): Promise<void> {
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
  }

  async get(ref: string): Promise<RunRecord | undefined> {
    const json = await resolveRef(ref, async (q) => {
      const arg =
        q.kind === 'newest-labelled' ? q.label : q.kind === 'id' ? q.id : 'prefix' in q ? likePrefix(q.prefix) : undefined;
      const stmt = this.db.prepare(REF_SQL[q.kind]);
      return (stmt.get(...(arg === undefined ? [] : [arg])) as { record: string } | undefined)?.record;
    });
    return json === undefined ? undefined : parseRecord(json);
  }

  async all(): Promise<RunRecord[]> {
    return (this.db.prepare('SELECT record FROM runs ORDER BY started_at ASC, rowid ASC').all() as { record: string }[]).map(
      (r) => parseRecord(r.record),
    );
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function sqliteFilter(f: RunFilter): { where: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const where = filterWhere(
    f,
    (name, value) => ((params[name] = value), `@${name}`),
    (column, needle) => `instr(${column}, ${needle}) > 0`,
  );
  return { where, params };
}
