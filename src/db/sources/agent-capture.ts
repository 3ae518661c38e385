/**
 * The queries the Node agent captured in a run: `<run dir>/queries.ndjson` (one CapturedQuery per line:
 * {t, durationMs, rows, text, driver, requestId, request}) and `requests.ndjson` ({id, method, url, status,
 * durationMs, t}) beside it. A torn last line (the run was killed while writing) is skipped, not fatal.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PerfloopError } from '../../core/errors.js';
import type { ObservedQuery, ObservedRequest } from '../query.js';
import { readLines } from './lines.js';

export interface CaptureData {
  queries: ObservedQuery[];
  requests: ObservedRequest[];
  /** Lines that were not valid records (reported, not fatal). */
  skippedLines: number;
}

export function isCapturedQuery(v: unknown): boolean {
  const o = v as Record<string, unknown> | null;
  return !!o && typeof o === 'object' && typeof o.text === 'string' && typeof o.durationMs === 'number';
}

/** `path` is a run directory or a queries.ndjson file. */
export async function readAgentCaptures(path: string): Promise<CaptureData> {
  const isDir = statSync(path).isDirectory();
  const queriesFile = isDir ? join(path, 'queries.ndjson') : path;
  if (!existsSync(queriesFile))
    throw new PerfloopError('QUERIES_SOURCE', `no queries.ndjson in ${path}`, {
      hint: 'pass a perfloop run directory or its queries.ndjson',
    });
  const requestsFile = join(isDir ? path : dirname(path), 'requests.ndjson');
  const out: CaptureData = { queries: [], requests: [], skippedLines: 0 };
  for await (const line of readLines(queriesFile)) {
    if (!line.trim()) continue;
    const v = parseLine(line);
    if (!isCapturedQuery(v)) {
      out.skippedLines++;
      continue;
    }
    const q = v as Record<string, unknown>;
    out.queries.push({
      t: Number(q.t ?? 0),
      durationMs: Number(q.durationMs),
      rows: Number(q.rows ?? 0),
      text: String(q.text),
      requestId: typeof q.requestId === 'string' ? q.requestId : null,
      request: typeof q.request === 'string' ? q.request : null,
    });
  }
  if (existsSync(requestsFile)) {
    for await (const line of readLines(requestsFile)) {
      if (!line.trim()) continue;
      const r = parseLine(line) as Record<string, unknown> | null;
      if (!r || typeof r.id !== 'string' || typeof r.durationMs !== 'number') {
        out.skippedLines++;
        continue;
      }
      out.requests.push({
        id: r.id,
        method: String(r.method ?? ''),
        url: String(r.url ?? ''),
        status: Number(r.status ?? 0),
        durationMs: r.durationMs,
        t: Number(r.t ?? 0),
      });
    }
  }
  return out;
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
