/** Which runs a dashboard query covers; every field optional. Times are ISO strings compared as text (UTC). */
export interface RunFilter {
  /** Substring of the label. */
  label?: string;
  branch?: string;
  from?: string;
  to?: string;
  /** '' = runs stored before scenarios existed. */
  scenarioId?: string;
}

export type RunPageItem = import('./run-store.js').RunListItem & { gitBranch: string | null };
export interface RunPage {
  /** Runs matching the filter (null when not asked for). */
  total: number | null;
  runs: RunPageItem[];
}
export interface ScenarioSummary {
  id: string;
  description: string;
  runs: number;
  lastStartedAt: string;
}

/**
 * The WHERE clause of a filter in either store's SQL dialect: `param` turns a value into that dialect's
 * placeholder (`@name` for SQLite, `$n` for PostgreSQL) and `contains` is its substring test.
 */
export function filterWhere(
  f: RunFilter,
  param: (name: string, value: string) => string,
  contains: (column: string, needle: string) => string,
): string {
  const clauses: string[] = [];
  if (f.label) clauses.push(contains('r.label', param('label', f.label)));
  if (f.branch) clauses.push(`r.git_branch = ${param('branch', f.branch)}`);
  if (f.from) clauses.push(`r.started_at >= ${param('from', f.from)}`);
  // A bare date means the whole day.
  if (f.to) clauses.push(`r.started_at <= ${param('to', /^\d{4}-\d{2}-\d{2}$/.test(f.to) ? `${f.to}T23:59:59.999Z` : f.to)}`);
  if (f.scenarioId !== undefined)
    // A plain equality keeps the scenario index usable.
    clauses.push(f.scenarioId === '' ? 'r.scenario_id IS NULL' : `r.scenario_id = ${param('scenarioId', f.scenarioId)}`);
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}

/** Columns of a listed run, shared by `list` and `page` in both stores. */
export const LIST_COLUMNS = `r.id, r.started_at, r.label, r.target, r.git_sha, r.git_branch, r.p95_ms, r.rps, r.error_rate, r.out_dir,
  r.scenario, r.scenario_id, CASE WHEN r.scenario_id IS NULL THEN r.record END AS record,
  (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id) AS findings`;
