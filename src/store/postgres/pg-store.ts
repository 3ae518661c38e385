import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { PerfloopError } from '../../core/errors.js';
import type { RunRecord } from '../../core/run.js';
import { describeArtifacts, type ArtifactEntry } from '../artifacts.js';
import { listItem, metricRows, parseRecord, runColumns } from '../record-rows.js';
import { filterWhere, LIST_COLUMNS, type RunFilter, type RunPage, type ScenarioSummary } from '../run-filter.js';
import { likePrefix, resolveRef, type RefQuery, type RunListItem, type RunStore } from '../run-store.js';
import { migratePg } from './migrations.js';

const BY_START = 'ORDER BY started_at DESC, seq DESC LIMIT 1';

const REF_SQL: Record<RefQuery['kind'], string> = {
  latest: `SELECT record FROM runs ${BY_START}`,
  'newest-labelled': `SELECT record FROM runs WHERE label = $1 ${BY_START}`,
  oldest: 'SELECT record FROM runs ORDER BY started_at ASC, seq ASC LIMIT 1',
  id: 'SELECT record FROM runs WHERE id = $1',
  'id-prefix': `SELECT record FROM runs WHERE id LIKE $1 ESCAPE '\\' ${BY_START}`,
  'sha-prefix': `SELECT record FROM runs WHERE git_sha LIKE $1 ESCAPE '\\' ${BY_START}`,
};

/**
 * Artifacts up to this size are kept in the database (bytea, by content hash, once however many runs share
 * them), so a run stored by a CI job can be diffed and linked on any machine. Bigger files (multi-GB heap
 * snapshots) are recorded with path, size and hash only; PERFLOOP_STORE_BLOB_MAX (bytes) changes the limit.
 */
const blobLimit = () => Number(process.env.PERFLOOP_STORE_BLOB_MAX ?? 64 * 1024 * 1024);

/** Where artifacts read back from the database are written on this machine (by hash: written once). */
const artifactCache = () => process.env.PERFLOOP_ARTIFACT_CACHE ?? join(tmpdir(), 'perfloop-artifacts');

/** A URL safe to print: the password replaced. */
function displayUrl(url: URL): string {
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return shown.href;
}

/**
 * The team store in PostgreSQL (node-postgres): the same schema, migrations and API as the SQLite store, for
 * many writers at once (parallel CI jobs) — every save is one transaction, and saves of the same run id are
 * serialised by an advisory lock. `?schema=NAME` in the URL keeps perfloop's tables in their own schema.
 */
export class PostgresRunStore implements RunStore {
  readonly kind = 'postgres';
  private constructor(
    private readonly pool: pg.Pool,
    readonly path: string,
  ) {}

  static async open(urlText: string): Promise<PostgresRunStore> {
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      throw new PerfloopError('STORE_OPEN', `--store: ${JSON.stringify(urlText)} is not a valid postgres:// URL`);
    }
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
      throw new PerfloopError('STORE_OPEN', `--store: schema ${JSON.stringify(schema)} must be a plain identifier`);
    const shown = displayUrl(url) + (schema ? `${url.search ? '&' : '?'}schema=${schema}` : '');
    const pool = new pg.Pool({
      connectionString: url.href,
      max: 2,
      connectionTimeoutMillis: 10_000,
      // A startup parameter, so every pooled connection has it before its first query.
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    pool.on('error', () => undefined); // an idle client dropped by the server: the next query reconnects
    try {
      const client = await pool.connect();
      try {
        if (schema) {
          await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).catch((e: { code?: string }) => {
            if (e.code !== '23505' && e.code !== '42P06') throw e; // another writer created it first
          });
        }
        await migratePg(client);
      } finally {
        client.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new PerfloopError('STORE_OPEN', `cannot open the run store at ${shown}: ${(e as Error).message}`, {
        hint: 'check the URL, that PostgreSQL runs and that the user may create tables',
        cause: e,
        exitCode: 1,
      });
    }
    return new PostgresRunStore(pool, shown);
  }

  async save(record: RunRecord, outDir?: string): Promise<void> {
    await this.saveWithArtifacts(record, outDir ?? null, outDir ? describeArtifacts(outDir, record.artifacts) : {});
  }

  async saveWithArtifacts(
    record: RunRecord,
    outDir: string | null,
    artifacts: Record<string, ArtifactEntry>,
  ): Promise<void> {
    const id = record.run.id;
    const c = runColumns(record, outDir);
    const metrics = metricRows(record);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`perfloop-run:${id}`]);
      await client.query('DELETE FROM runs WHERE id = $1', [id]); // a re-saved run replaces itself (cascades)
      await client.query(
        `INSERT INTO runs (id, started_at, label, target, scenario, scenario_id, git_sha, git_branch, duration_s,
           machine, p50_ms, p95_ms, p99_ms, rps, error_rate, out_dir, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [c.id, c.startedAt, c.label, c.target, c.scenario, c.scenarioId, c.gitSha, c.gitBranch, c.durationS,
          c.machine, c.p50, c.p95, c.p99, c.rps, c.errorRate, c.outDir, c.record],
      );
      // One statement per table whatever the row count (an hour-long run has 3,600 intervals).
      await client.query(
        `INSERT INTO metrics (run_id, name, summary, histogram)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])`,
        [id, metrics.map((m) => m.name), metrics.map((m) => m.summary), metrics.map((m) => m.histogram)],
      );
      const iv = record.intervals;
      await client.query(
        `INSERT INTO intervals (run_id, t, count, errors, histogram)
         SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[])`,
        [id, iv.map((i) => i.t), iv.map((i) => i.count), iv.map((i) => i.errors), iv.map((i) => i.histogram)],
      );
      const f = record.findings;
      await client.query(
        `INSERT INTO findings (run_id, seq, rule, area, severity, title, impact_pct, finding)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[])`,
        [id, f.map((_, i) => i), f.map((x) => x.rule), f.map((x) => x.area), f.map((x) => x.severity),
          f.map((x) => x.title), f.map((x) => x.estimatedImpact.pct), f.map((x) => JSON.stringify(x))],
      );
      for (const [name, a] of Object.entries(artifacts)) {
        await client.query('INSERT INTO artifacts (run_id, name, path, bytes, sha256) VALUES ($1, $2, $3, $4, $5)', [
          id, name, a.path, a.bytes, a.sha256,
        ]);
        await this.keepBlob(client, a);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new PerfloopError('STORE_WRITE', `cannot store run ${id} in ${this.path}: ${(e as Error).message}`, {
        cause: e,
        exitCode: 1,
      });
    } finally {
      client.release();
    }
  }

  /** Uploads an artifact's bytes unless the database has them already (same hash) or the file is too big. */
  private async keepBlob(client: pg.PoolClient, a: ArtifactEntry): Promise<void> {
    if (a.bytes > blobLimit() || !existsSync(a.path)) return;
    const known = await client.query('SELECT 1 FROM artifact_blobs WHERE sha256 = $1', [a.sha256]);
    if (known.rowCount) return;
    const content = readFileSync(a.path);
    if (content.length !== a.bytes) return; // changed since it was hashed: keep the record, not wrong bytes
    await client.query('INSERT INTO artifact_blobs (sha256, content) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      a.sha256,
      content,
    ]);
  }

  async page(filter: RunFilter & { offset?: number; limit?: number; count?: boolean } = {}): Promise<RunPage> {
    const { where, args } = pgFilter(filter);
    const total =
      filter.count === false ? null : Number((await this.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM runs r ${where}`, args)).rows[0].n);
    const n = args.length;
    const { rows } = await this.pool.query(
      `SELECT ${LIST_COLUMNS} FROM runs r ${where} ORDER BY r.started_at DESC, r.seq DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...args, filter.limit ?? 50, filter.offset ?? 0],
    );
    return { total, runs: rows.map((row) => ({ ...listItem(row), gitBranch: row.git_branch as string | null })) };
  }

  async scenarios(filter: RunFilter = {}): Promise<ScenarioSummary[]> {
    const { where, args } = pgFilter(filter);
    const { rows } = await this.pool.query<{ id: string; description: string; runs: string; last: string }>(
      `SELECT COALESCE(r.scenario_id, '') AS id, MAX(r.scenario) AS description, COUNT(*) AS runs,
              MAX(r.started_at) AS last FROM runs r ${where}
       GROUP BY COALESCE(r.scenario_id, '') ORDER BY last DESC`,
      args,
    );
    return rows.map((s) => ({ id: s.id, description: s.description, runs: Number(s.runs), lastStartedAt: s.last }));
  }

  async records(filter: RunFilter & { limit?: number } = {}): Promise<RunRecord[]> {
    const { where, args } = pgFilter(filter);
    const { rows } = await this.pool.query<{ record: string }>(
      `SELECT record FROM runs r ${where} ORDER BY r.started_at DESC, r.seq DESC LIMIT $${args.length + 1}`,
      [...args, filter.limit ?? 200],
    );
    return rows.reverse().map((r) => parseRecord(r.record));
  }

  async list(options: { limit?: number; label?: string } = {}): Promise<RunListItem[]> {
    const args: unknown[] = [Math.min(options.limit ?? 50, Number.MAX_SAFE_INTEGER)];
    if (options.label !== undefined) args.push(options.label);
    const { rows } = await this.pool.query(
      `SELECT r.id, r.started_at, r.label, r.target, r.git_sha, r.p95_ms, r.rps, r.error_rate, r.out_dir,
              r.scenario, r.scenario_id, CASE WHEN r.scenario_id IS NULL THEN r.record END AS record,
              (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id) AS findings
       FROM runs r ${options.label === undefined ? '' : 'WHERE r.label = $2'}
       ORDER BY r.started_at DESC, r.seq DESC LIMIT $1`,
      args,
    );
    return rows.map(listItem);
  }

  async artifacts(runId: string): Promise<Record<string, ArtifactEntry>> {
    const { rows } = await this.pool.query<{ name: string; path: string; bytes: string; sha256: string }>(
      'SELECT name, path, bytes, sha256 FROM artifacts WHERE run_id = $1 AND sha256 IS NOT NULL ORDER BY name',
      [runId],
    );
    return Object.fromEntries(rows.map((a) => [a.name, { path: a.path, bytes: Number(a.bytes), sha256: a.sha256 }]));
  }

  /**
   * The artifact as a file on this machine: where it was written when it is still there unchanged in size,
   * else its bytes from the database written once into the artifact cache (named by hash). Without either the
   * recorded entry comes back, and verifiedArtifact names the missing file.
   */
  async localArtifact(entry: ArtifactEntry): Promise<ArtifactEntry> {
    if (existsSync(entry.path) && statSync(entry.path).size === entry.bytes) return entry;
    const cached = join(artifactCache(), entry.sha256, basename(entry.path));
    if (existsSync(cached) && statSync(cached).size === entry.bytes) return { ...entry, path: cached };
    const { rows } = await this.pool.query<{ content: Buffer }>(
      'SELECT content FROM artifact_blobs WHERE sha256 = $1',
      [entry.sha256],
    );
    if (!rows[0]) return entry;
    mkdirSync(join(artifactCache(), entry.sha256), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, rows[0].content);
    renameSync(tmp, cached);
    return { ...entry, path: cached };
  }

  async outDir(runId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ out_dir: string | null }>('SELECT out_dir FROM runs WHERE id = $1', [runId]);
    return rows[0]?.out_dir ?? undefined;
  }

  async delete(runId: string): Promise<void> {
    await this.pool.query('DELETE FROM runs WHERE id = $1', [runId]);
    // Bytes no run refers to any more.
    await this.pool.query('DELETE FROM artifact_blobs b WHERE NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.sha256 = b.sha256)');
  }

  async get(ref: string): Promise<RunRecord | undefined> {
    const json = await resolveRef(ref, async (q) => {
      const arg =
        q.kind === 'newest-labelled' ? q.label : q.kind === 'id' ? q.id : 'prefix' in q ? likePrefix(q.prefix) : undefined;
      const { rows } = await this.pool.query<{ record: string }>(REF_SQL[q.kind], arg === undefined ? [] : [arg]);
      return rows[0]?.record;
    });
    return json === undefined ? undefined : parseRecord(json);
  }

  async all(): Promise<RunRecord[]> {
    const { rows } = await this.pool.query<{ record: string }>('SELECT record FROM runs ORDER BY started_at ASC, seq ASC');
    return rows.map((r) => parseRecord(r.record));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function pgFilter(f: RunFilter): { where: string; args: string[] } {
  const args: string[] = [];
  const where = filterWhere(
    f,
    (_name, value) => `$${args.push(value)}`,
    (column, needle) => `strpos(${column}, ${needle}) > 0`,
  );
  return { where, args };
}
