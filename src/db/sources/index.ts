/**
 * `perfloop queries SOURCE`: which kind of source a path is — a run directory / queries.ndjson (the Node
 * agent), an OTLP/JSON trace file, or a PostgreSQL log (stderr, csvlog, jsonlog) — detected by content.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { PerfloopError } from '../../core/errors.js';
import type { ObservedQuery, ObservedRequest } from '../query.js';
import { isCapturedQuery, readAgentCaptures } from './agent-capture.js';
import { observedFromSpans, spansOfFile } from './otlp.js';
import { readPgLog, type PgLogFormat, type PgLogOptions } from './pg-log.js';

export type QuerySourceKind = 'agent' | 'otlp' | PgLogFormat;

export interface QuerySource {
  kind: QuerySourceKind;
  path: string;
  queries: ObservedQuery[];
  requests: ObservedRequest[];
  /** Things a reader should know (skipped lines, how requests were inferred). */
  notes: string[];
}

export async function loadQuerySource(path: string, options: PgLogOptions = {}): Promise<QuerySource> {
  if (!existsSync(path)) throw new PerfloopError('QUERIES_SOURCE', `no such file or directory: ${path}`);
  const kind = statSync(path).isDirectory() ? 'agent' : sniff(path);
  if (kind === 'agent') {
    const c = await readAgentCaptures(path);
    return {
      kind,
      path,
      queries: c.queries,
      requests: c.requests,
      notes: c.skippedLines ? [`${c.skippedLines} unreadable line(s) skipped`] : [],
    };
  }
  if (kind === 'otlp') {
    const { queries, requests } = observedFromSpans(spansOfFile(readFileSync(path, 'utf8')));
    return { kind, path, queries, requests, notes: [] };
  }
  const { queries } = await readPgLog(path, kind, options);
  return {
    kind,
    path,
    queries,
    requests: [],
    notes: [
      `a server log has no HTTP requests: a "request" is one session's burst of statements with no pause over ${options.gapMs ?? 50} ms`,
    ],
  };
}

/** The format of a file, from its first bytes. */
function sniff(path: string): QuerySourceKind {
  const head = readHead(path, 65536);
  const firstLine = head.split(/\r?\n/).find((l) => l.trim()) ?? '';
  const trimmed = head.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (/"resourceSpans"/.test(head)) return 'otlp';
    try {
      const v = JSON.parse(firstLine) as Record<string, unknown>;
      if (isCapturedQuery(v)) return 'agent';
      if (typeof v.error_severity === 'string' && 'message' in v) return 'jsonlog';
    } catch {
      /* fall through */
    }
  }
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [A-Z+\-\d:]*,/.test(firstLine)) return 'csvlog';
  if (/\b(LOG|ERROR|WARNING|FATAL):\s{2}/.test(head)) return 'stderr';
  throw new PerfloopError('QUERIES_SOURCE', `${path}: not a query source`, {
    hint: 'give a perfloop run directory or queries.ndjson, an OTLP/JSON trace file, a PostgreSQL log (stderr, csvlog, jsonlog), or --db URL',
  });
}

function readHead(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
