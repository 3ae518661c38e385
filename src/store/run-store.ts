import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PerfloopError } from '../core/errors.js';
import { normaliseRecord, type RunRecord, type ScenarioRef } from '../core/run.js';
import { describeArtifacts, type ArtifactEntry } from './artifacts.js';
import { migrate } from './migrations.js';

export const DEFAULT_STORE_PATH = '.perfloop/perfloop.db';

export interface RunListItem {
  id: string;
  startedAt: string;
  label: string;
  target: string;
  gitSha: string | null;
  p95Ms: number | null;
  rps: number | null;
  errorRate: number | null;
  findings: number;
  outDir: string | null;
  scenario: { id: string; description: string };
}

/**
 * The history of runs, in SQLite (better-sqlite3, WAL). The full run record is kept as JSON for exact
 * round trips; the columns beside it exist for listing and querying without parsing every record.
 */
export class RunStore {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static open(path = DEFAULT_STORE_PATH): RunStore {
    const full = resolve(path);
    try {
      mkdirSync(dirname(full), { recursive: true });
      const db = new Database(full);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      return new RunStore(db, full);
    } catch (e) {
      throw new PerfloopError('STORE_OPEN', `cannot open the run store at ${full}: ${(e as Error).message}`, {
        hint: 'pass --store PATH to use another file',
        cause: e,
      });
    }
  }

  /**
   * Stores a run; with its folder, every artifact of `record.artifacts` that exists there is recorded with its
   * absolute path, size and SHA-256.
   */
  save(record: RunRecord, outDir?: string): void {
    const r = record.run;
    const files = outDir ? describeArtifacts(outDir, record.artifacts) : {};
    const m = record.metrics;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO runs (id, started_at, label, target, scenario, scenario_id, git_sha, git_branch,
             duration_s, machine, p50_ms, p95_ms, p99_ms, rps, error_rate, out_dir, record)
           VALUES (@id, @startedAt, @label, @target, @scenario, @scenarioId, @gitSha, @gitBranch, @durationS, @machine,
             @p50, @p95, @p99, @rps, @errorRate, @outDir, @record)`,
        )
        .run({
          id: r.id,
          startedAt: r.startedAt,
          label: r.label,
          target: r.target,
          scenario: r.scenario.description,
          scenarioId: r.scenario.id,
          gitSha: r.gitSha,
          gitBranch: r.gitBranch,
          durationS: r.durationS,
          machine: JSON.stringify(r.machine),
          p50: m.http_req_duration.p50,
          p95: m.http_req_duration.p95,
          p99: m.http_req_duration.p99,
          rps: m.http_reqs.rate,
          errorRate: m.http_req_failed.rate,
          outDir: outDir ?? null,
          record: JSON.stringify(record),
        });
      for (const table of ['metrics', 'intervals', 'findings', 'artifacts']) {
        this.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(r.id);
      }
      const insertMetric = this.db.prepare('INSERT INTO metrics (run_id, name, summary, histogram) VALUES (?, ?, ?, ?)');
      for (const [name, summary] of Object.entries(m)) {
        if (summary === null) continue;
        const histogram = name === 'http_req_duration' ? record.histograms.http_req_duration : null;
        insertMetric.run(r.id, name, JSON.stringify(summary), histogram);
      }
      const insertInterval = this.db.prepare(
        'INSERT INTO intervals (run_id, t, count, errors, histogram) VALUES (?, ?, ?, ?, ?)',
      );
      for (const i of record.intervals) insertInterval.run(r.id, i.t, i.count, i.errors, i.histogram);
      const insertFinding = this.db.prepare(
        `INSERT INTO findings (run_id, seq, rule, area, severity, title, impact_pct, finding)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      record.findings.forEach((f, seq) =>
        insertFinding.run(r.id, seq, f.rule, f.area, f.severity, f.title, f.estimatedImpact.pct, JSON.stringify(f)),
      );
      const insertArtifact = this.db.prepare(
        'INSERT INTO artifacts (run_id, name, path, bytes, sha256) VALUES (?, ?, ?, ?, ?)',
      );
      for (const [name, a] of Object.entries(files)) insertArtifact.run(r.id, name, a.path, a.bytes, a.sha256);
    })();
  }

  list(options: { limit?: number; label?: string } = {}): RunListItem[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.started_at, r.label, r.target, r.git_sha, r.p95_ms, r.rps, r.error_rate, r.out_dir,
                r.scenario, r.scenario_id, CASE WHEN r.scenario_id IS NULL THEN r.record END AS record,
                (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id) AS findings
         FROM runs r ${options.label === undefined ? '' : 'WHERE r.label = @label'}
         ORDER BY r.started_at DESC, r.rowid DESC LIMIT @limit`,
      )
      .all({ limit: options.limit ?? 50, label: options.label }) as Record<string, unknown>[];
    return rows.map((row) => ({
      id: row.id as string,
      startedAt: row.started_at as string,
      label: row.label as string,
      target: row.target as string,
      gitSha: row.git_sha as string | null,
      p95Ms: row.p95_ms as number | null,
      rps: row.rps as number | null,
      errorRate: row.error_rate as number | null,
      findings: row.findings as number,
      outDir: row.out_dir as string | null,
      scenario: scenarioRow(row),
    }));
  }

  /**
   * One page of runs, newest first, with filters (label substring, branch, start-time range, scenario) and the
   * number of runs that match: what the dashboard lists. Read-only; `list` stays the CLI's simple form.
   */
  page(
    filter: RunFilter & { offset?: number; limit?: number; count?: boolean } = {},
  ): { total: number | null; runs: (RunListItem & { gitBranch: string | null })[] } {
    const { where, params } = filterSql(filter);
    // `count: false` skips the total (a sparkline needs only the newest runs).
    const total =
      filter.count === false ? null : (this.db.prepare(`SELECT COUNT(*) AS n FROM runs r ${where}`).get(params) as { n: number }).n;
    const rows = this.db
      .prepare(
        `SELECT r.id, r.started_at, r.label, r.target, r.git_sha, r.git_branch, r.p95_ms, r.rps, r.error_rate, r.out_dir,
                r.scenario, r.scenario_id, CASE WHEN r.scenario_id IS NULL THEN r.record END AS record,
                (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id) AS findings
         FROM runs r ${where}
         ORDER BY r.started_at DESC, r.rowid DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit: filter.limit ?? 50, offset: filter.offset ?? 0 }) as Record<string, unknown>[];
    return {
      total,
      runs: rows.map((row) => ({
        id: row.id as string,
        startedAt: row.started_at as string,
        label: row.label as string,
        target: row.target as string,
        gitSha: row.git_sha as string | null,
        gitBranch: row.git_branch as string | null,
        p95Ms: row.p95_ms as number | null,
        rps: row.rps as number | null,
        errorRate: row.error_rate as number | null,
        findings: row.findings as number,
        outDir: row.out_dir as string | null,
        scenario: scenarioRow(row),
      })),
    };
  }

  /** The scenarios that have runs matching the filter, the most recently run first, with their run counts. */
  scenarios(filter: RunFilter = {}): { id: string; description: string; runs: number; lastStartedAt: string }[] {
    const { where, params } = filterSql(filter);
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

  /** Full records of the newest `limit` runs matching the filter, returned oldest first (for trend charts). */
  records(filter: RunFilter & { limit?: number } = {}): RunRecord[] {
    const { where, params } = filterSql(filter);
    const rows = this.db
      .prepare(`SELECT record FROM runs r ${where} ORDER BY r.started_at DESC, r.rowid DESC LIMIT @limit`)
      .all({ ...params, limit: filter.limit ?? 200 }) as { record: string }[];
    return rows.reverse().map((r) => normaliseRecord(JSON.parse(r.record) as RunRecord));
  }

  /** The recorded artifacts of a run: name → absolute path, size, hash. */
  artifacts(runId: string): Record<string, ArtifactEntry> {
    const rows = this.db
      .prepare('SELECT name, path, bytes, sha256 FROM artifacts WHERE run_id = ? AND sha256 IS NOT NULL ORDER BY name')
      .all(runId) as { name: string; path: string; bytes: number; sha256: string }[];
    return Object.fromEntries(rows.map((a) => [a.name, { path: a.path, bytes: a.bytes, sha256: a.sha256 }]));
  }

  /** The folder a run's artifacts were written to, when it was stored with one. */
  outDir(runId: string): string | undefined {
    const row = this.db.prepare('SELECT out_dir FROM runs WHERE id = ?').get(runId) as { out_dir: string | null } | undefined;
    return row?.out_dir ?? undefined;
  }

  /** Removes a run and everything the store holds about it (metrics, intervals, findings, artifact rows). */
  delete(runId: string): void {
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
  }

  /**
   * A run by reference: its id (or a unique id prefix), `latest`, `baseline` (the oldest run, or the newest run
   * labelled "baseline"), a label (newest run with it), or a git sha (prefix).
   */
  get(ref: string): RunRecord | undefined {
    const one = (sql: string, ...args: unknown[]) =>
      (this.db.prepare(sql).get(...args) as { record: string } | undefined)?.record;
    const byStart = 'ORDER BY started_at DESC, rowid DESC LIMIT 1';
    const json =
      (ref === 'latest' ? one(`SELECT record FROM runs ${byStart}`) : undefined) ??
      (ref === 'baseline'
        ? (one(`SELECT record FROM runs WHERE label = 'baseline' ${byStart}`) ??
          one('SELECT record FROM runs ORDER BY started_at ASC, rowid ASC LIMIT 1'))
        : undefined) ??
      one('SELECT record FROM runs WHERE id = ?', ref) ??
      one(`SELECT record FROM runs WHERE label = ? ${byStart}`, ref) ??
      (ref.length >= 4 ? one(`SELECT record FROM runs WHERE id LIKE ? || '%' ${byStart}`, ref) : undefined) ??
      (/^[0-9a-f]{7,40}$/.test(ref) ? one(`SELECT record FROM runs WHERE git_sha LIKE ? || '%' ${byStart}`, ref) : undefined);
    return json === undefined ? undefined : normaliseRecord(JSON.parse(json) as RunRecord);
  }

  /** Every run in time order, oldest first (for the iteration log). */
  all(): RunRecord[] {
    return (this.db.prepare('SELECT record FROM runs ORDER BY started_at ASC, rowid ASC').all() as { record: string }[]).map(
      (r) => normaliseRecord(JSON.parse(r.record) as RunRecord),
    );
  }

  close(): void {
    this.db.close();
  }
}

/** Which runs a dashboard query covers; every field optional. Times are ISO strings compared as text (UTC). */
export interface RunFilter {
  /** Substring of the label. */
  label?: string;
  branch?: string;
  from?: string;
  to?: string;
  scenarioId?: string;
}

function filterSql(f: RunFilter): { where: string; params: Record<string, string> } {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  if (f.label) {
    clauses.push("instr(r.label, @label) > 0");
    params.label = f.label;
  }
  if (f.branch) {
    clauses.push('r.git_branch = @branch');
    params.branch = f.branch;
  }
  if (f.from) {
    clauses.push('r.started_at >= @from');
    params.from = f.from;
  }
  if (f.to) {
    // A bare date means the whole day.
    clauses.push('r.started_at <= @to');
    params.to = /^\d{4}-\d{2}-\d{2}$/.test(f.to) ? `${f.to}T23:59:59.999Z` : f.to;
  }
  if (f.scenarioId !== undefined) {
    // '' = runs stored before scenarios existed; a plain equality keeps the scenario index usable.
    if (f.scenarioId === '') clauses.push('r.scenario_id IS NULL');
    else {
      clauses.push('r.scenario_id = @scenarioId');
      params.scenarioId = f.scenarioId;
    }
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** A listed run's scenario: the columns when the run was stored with one, else derived from its record. */
function scenarioRow(row: Record<string, unknown>): ScenarioRef {
  if (typeof row.scenario_id === 'string') return { id: row.scenario_id, description: row.scenario as string };
  const { id, description } = normaliseRecord(JSON.parse(row.record as string) as RunRecord).run.scenario;
  return { id, description };
}
