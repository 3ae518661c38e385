import type { RunRecord } from '../core/run.js';
import type { ArtifactEntry } from './artifacts.js';
import type { RunFilter, RunPage, ScenarioSummary } from './run-filter.js';
import { SqliteRunStore } from './sqlite/sqlite-store.js';

export type { RunFilter, RunPage, ScenarioSummary } from './run-filter.js';

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
 * The history of runs behind one interface: SQLite (one developer's file, the default) or PostgreSQL (a team's
 * CI shares it). Every method returns a Promise because PostgreSQL is asynchronous; the SQLite store answers
 * at once. The full run record is kept as JSON for exact round trips; columns beside it serve listing.
 */
export interface RunStore {
  /** Where the store is, for messages: the SQLite file's absolute path, or the PostgreSQL URL without password. */
  readonly path: string;
  /** SQLite records where artifact files are; PostgreSQL also keeps their bytes. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Stores a run; with its folder, every artifact of `record.artifacts` that exists there is recorded with its
   * absolute path, size and SHA-256 (PostgreSQL also keeps the bytes, so other machines can read them).
   */
  save(record: RunRecord, outDir?: string): Promise<void>;
  /** Stores a run with artifacts described elsewhere (another store's, for `perfloop store copy`). */
  saveWithArtifacts(record: RunRecord, outDir: string | null, artifacts: Record<string, ArtifactEntry>): Promise<void>;
  /** Newest first. */
  list(options?: { limit?: number; label?: string }): Promise<RunListItem[]>;
  /**
   * One page of runs, newest first, with filters (label substring, branch, start-time range, scenario) and the
   * number of runs that match: what the dashboard lists. `count: false` skips the total.
   */
  page(filter?: RunFilter & { offset?: number; limit?: number; count?: boolean }): Promise<RunPage>;
  /** The scenarios that have runs matching the filter, the most recently run first, with their run counts. */
  scenarios(filter?: RunFilter): Promise<ScenarioSummary[]>;
  /** Full records of the newest `limit` runs matching the filter, returned oldest first (for trend charts). */
  records(filter?: RunFilter & { limit?: number }): Promise<RunRecord[]>;
  /**
   * A run by reference: its id (or a unique id prefix), `latest`, `baseline` (the newest run labelled
   * "baseline", or else the oldest run), a label (newest run with it), or a git sha (prefix).
   */
  get(ref: string): Promise<RunRecord | undefined>;
  /** Every run in time order, oldest first (for the iteration log). */
  all(): Promise<RunRecord[]>;
  /** The recorded artifacts of a run: name → absolute path (readable on this machine), size, hash. */
  artifacts(runId: string): Promise<Record<string, ArtifactEntry>>;
  /**
   * The artifact as a file readable on this machine (PostgreSQL: its bytes from the database when the recorded
   * file is not here); the SQLite store returns the entry as recorded.
   */
  localArtifact(entry: ArtifactEntry): Promise<ArtifactEntry>;
  /** The folder a run's artifacts were written to, when it was stored with one. */
  outDir(runId: string): Promise<string | undefined>;
  /** Removes a run and everything the store holds about it (metrics, intervals, findings, artifact rows). */
  delete(runId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `RunStore.open(path)` opens a SQLite store synchronously (kept for callers written before PostgreSQL);
 * `openStore(pathOrUrl)` in open-store.ts opens either kind.
 */
export const RunStore = {
  open: (path = DEFAULT_STORE_PATH): RunStore => SqliteRunStore.open(path),
};

/** What a run reference can mean, in the order `get` tries them; each store answers one query with SQL. */
export type RefQuery =
  | { kind: 'latest' }
  | { kind: 'newest-labelled'; label: string }
  | { kind: 'oldest' }
  | { kind: 'id'; id: string }
  | { kind: 'id-prefix'; prefix: string }
  | { kind: 'sha-prefix'; prefix: string };

/** Resolves a run reference with one store's lookup (the record JSON of the first query that finds one). */
export async function resolveRef(
  ref: string,
  lookup: (q: RefQuery) => Promise<string | undefined>,
): Promise<string | undefined> {
  const steps: RefQuery[] = [];
  if (ref === 'latest') steps.push({ kind: 'latest' });
  if (ref === 'baseline') steps.push({ kind: 'newest-labelled', label: 'baseline' }, { kind: 'oldest' });
  steps.push({ kind: 'id', id: ref }, { kind: 'newest-labelled', label: ref });
  if (ref.length >= 4) steps.push({ kind: 'id-prefix', prefix: ref });
  if (/^[0-9a-f]{7,40}$/.test(ref)) steps.push({ kind: 'sha-prefix', prefix: ref });
  for (const q of steps) {
    const hit = await lookup(q);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Escapes LIKE wildcards so a prefix matches literally (both stores use `ESCAPE '\'`). */
export const likePrefix = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
