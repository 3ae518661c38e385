import { normaliseRecord, type RunRecord, type ScenarioRef } from '../core/run.js';
import type { RunListItem } from './run-store.js';

/**
 * What both stores write for one run and read back for a listing: the same columns in SQLite and PostgreSQL,
 * so a run copied between them lists the same.
 */
export function runColumns(record: RunRecord, outDir: string | null) {
  const r = record.run;
  const m = record.metrics;
  return {
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
    outDir,
    record: JSON.stringify(record),
  };
}

/** The metric rows of a run: each summary, with the latency histogram beside http_req_duration's. */
export function metricRows(record: RunRecord): { name: string; summary: string; histogram: string | null }[] {
  return Object.entries(record.metrics)
    .filter(([, summary]) => summary !== null)
    .map(([name, summary]) => ({
      name,
      summary: JSON.stringify(summary),
      histogram: name === 'http_req_duration' ? record.histograms.http_req_duration : null,
    }));
}

/** A listing row (snake_case columns, as both stores select them) as a RunListItem. */
export function listItem(row: Record<string, unknown>): RunListItem {
  return {
    id: row.id as string,
    startedAt: row.started_at as string,
    label: row.label as string,
    target: row.target as string,
    gitSha: row.git_sha as string | null,
    p95Ms: row.p95_ms as number | null,
    rps: row.rps as number | null,
    errorRate: row.error_rate as number | null,
    findings: Number(row.findings),
    outDir: row.out_dir as string | null,
    scenario: scenarioRow(row),
  };
}

/** A listed run's scenario: the columns when the run was stored with one, else derived from its record. */
function scenarioRow(row: Record<string, unknown>): ScenarioRef {
  if (typeof row.scenario_id === 'string') return { id: row.scenario_id, description: row.scenario as string };
  const { id, description } = normaliseRecord(JSON.parse(row.record as string) as RunRecord).run.scenario;
  return { id, description };
}

export const parseRecord = (json: string): RunRecord => normaliseRecord(JSON.parse(json) as RunRecord);
