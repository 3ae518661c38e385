/**
 * PostgreSQL server logs written with log_min_duration_statement (or log_statement + log_duration):
 * stderr format with any log_line_prefix that has a timestamp and the pid (`%m [%p] ` is the default),
 * csvlog and jsonlog (https://www.postgresql.org/docs/current/runtime-config-logging.html).
 * Extended-protocol statements are logged as parse / bind / execute: the three durations are one query.
 * A log has no HTTP requests, so a "request" is a burst of one session's statements with no pause longer
 * than `gapMs` — enough to see a query in a loop.
 */
import type { ObservedQuery } from '../query.js';
import { readLines } from './lines.js';

export type PgLogFormat = 'stderr' | 'csvlog' | 'jsonlog';

export interface PgLogOptions {
  /** A pause longer than this (ms) between two statements of a session starts a new burst (default 50). */
  gapMs?: number;
}

interface LogEntry {
  /** Epoch ms of the log line (written when the statement finished). */
  t: number;
  session: string;
  app: string | null;
  message: string;
}

const DURATION =
  /^duration: (\d+(?:\.\d+)?) ms {2}(statement|execute [^:]*|parse [^:]*|bind [^:]*): ([\s\S]*)$/;

export async function readPgLog(
  path: string,
  format: PgLogFormat,
  options: PgLogOptions = {},
): Promise<{ queries: ObservedQuery[]; entries: number }> {
  const entries =
    format === 'stderr' ? stderrEntries(path) : format === 'csvlog' ? csvEntries(path) : jsonEntries(path);
  const gapMs = options.gapMs ?? 50;
  const queries: ObservedQuery[] = [];
  const sessions = new Map<string, { pendingMs: number; lastEnd: number; burst: number }>();
  let count = 0;
  for await (const e of entries) {
    count++;
    const m = DURATION.exec(e.message);
    if (!m) continue;
    const ms = Number(m[1]);
    const kind = m[2].split(' ')[0];
    let s = sessions.get(e.session);
    if (!s) sessions.set(e.session, (s = { pendingMs: 0, lastEnd: -Infinity, burst: 0 }));
    if (kind === 'parse' || kind === 'bind') {
      s.pendingMs += ms;
      continue;
    }
    const durationMs = ms + s.pendingMs;
    s.pendingMs = 0;
    const start = e.t - durationMs;
    if (start - s.lastEnd > gapMs) s.burst++;
    s.lastEnd = e.t;
    queries.push({
      t: start,
      durationMs: Math.round(durationMs * 1000) / 1000,
      rows: 0,
      text: m[3].trim(),
      requestId: `${e.session}#${s.burst}`,
      request: `postgres-log ${e.app || `session-${e.session}`}`,
    });
  }
  return { queries, entries: count };
}

const TS = /(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)(?: ?([A-Z]{2,5}|[+-]\d\d(?::?\d\d)?))?/;

function parseTime(s: string): number {
  const m = TS.exec(s);
  if (!m) return NaN;
  const zone =
    !m[3] || /^[A-Z]+$/.test(m[3])
      ? 'Z'
      : m[3].length === 3
        ? `${m[3]}:00`
        : m[3].replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
  return Date.parse(`${m[1]}T${m[2]}${zone}`);
}

/** stderr: `<prefix>LEVEL:  message`, continuation lines start with a tab. */
async function* stderrEntries(path: string): AsyncGenerator<LogEntry> {
  let cur: LogEntry | null = null;
  for await (const line of readLines(path)) {
    if (line.startsWith('\t') && cur) {
      cur.message += `\n${line.slice(1)}`;
      continue;
    }
    const m =
      /^(.*?)\b(LOG|DETAIL|STATEMENT|ERROR|WARNING|NOTICE|HINT|CONTEXT|FATAL|PANIC|INFO|DEBUG\d?):\s{2}(.*)$/.exec(
        line,
      );
    if (!m) continue;
    if (cur) yield cur;
    if (m[2] !== 'LOG') {
      cur = null;
      continue;
    }
    const prefix = m[1];
    const pid =
      /\[(\d+)(?:-\d+)?\]/.exec(prefix)?.[1] ?? /\b([0-9a-f]+\.[0-9a-f]+)\b/.exec(prefix)?.[1] ?? 'log';
    const app = /\bapp=([^\s,\]]+)/.exec(prefix)?.[1] ?? null;
    cur = { t: parseTime(prefix), session: pid, app, message: m[3] };
  }
  if (cur) yield cur;
}

/** csvlog: log_time(0), process_id(3), session_id(5), error_severity(11), message(13), application_name(22). */
async function* csvEntries(path: string): AsyncGenerator<LogEntry> {
  for await (const row of csvRows(path)) {
    if (row[11] !== 'LOG') continue;
    yield {
      t: parseTime(row[0] ?? ''),
      session: row[5] || row[3] || 'log',
      app: row[22] || null,
      message: row[13] ?? '',
    };
  }
}

async function* jsonEntries(path: string): AsyncGenerator<LogEntry> {
  for await (const line of readLines(path)) {
    if (!line.trim()) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (o.error_severity !== 'LOG') continue;
    yield {
      t: parseTime(String(o.timestamp ?? '')),
      session: String(o.session_id ?? o.pid ?? 'log'),
      app: typeof o.application_name === 'string' && o.application_name ? o.application_name : null,
      message: String(o.message ?? ''),
    };
  }
}

/** RFC 4180 rows; quoted fields may hold newlines and doubled quotes. */
async function* csvRows(path: string): AsyncGenerator<string[]> {
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for await (const line of readLines(path)) {
    const text = quoted ? `\n${line}` : line;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else quoted = false;
        } else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        row.push(field);
        field = '';
      } else field += ch;
    }
    if (!quoted) {
      row.push(field);
      yield row;
      row = [];
      field = '';
    }
  }
}
