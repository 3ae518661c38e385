/**
 * The request log: one verbose JSON line per request. Planted problem `sync-logging`: logRequestSync
 * opens the file, writes, fsyncs and closes it on every request, blocking the event loop on disk I/O
 * in the request's path. The fix (BufferedRequestLogger) queues lines in memory and hands them to a
 * write stream in batches; close() flushes what is left.
 */
import {
  closeSync,
  createWriteStream,
  fsyncSync,
  mkdirSync,
  openSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { WriteStream } from 'node:fs';

export interface RequestLogEntry {
  time: Date;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  responseBytes: number;
  remoteAddress: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface RequestLogger {
  log(entry: RequestLogEntry): void;
  /** Flushes anything pending. */
  close(): Promise<void>;
}

/** Both loggers write exactly this line: the fix changes how it is written, not what. */
export function formatLogLine(entry: RequestLogEntry): string {
  return (
    JSON.stringify({
      time: entry.time.toISOString(),
      level: 'info',
      msg: 'request completed',
      method: entry.method,
      url: entry.url,
      status: entry.status,
      durationMs: Math.round(entry.durationMs * 1000) / 1000,
      responseBytes: entry.responseBytes,
      remoteAddress: entry.remoteAddress,
      headers: entry.headers,
      pid: process.pid,
    }) + '\n'
  );
}

/** Starts a fresh log for this process (so repeated demo runs do not grow it without end). */
export function createRequestLogger(path: string, buffered: boolean): RequestLogger {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  return buffered ? new BufferedRequestLogger(path) : new SyncRequestLogger(path);
}

/** The problem: a durable, synchronous write per request. */
export function logRequestSync(path: string, entry: RequestLogEntry): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, formatLogLine(entry));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

class SyncRequestLogger implements RequestLogger {
  constructor(private readonly path: string) {}

  log(entry: RequestLogEntry): void {
    logRequestSync(this.path, entry);
  }

  async close(): Promise<void> {}
}

const FLUSH_INTERVAL_MS = 100;
const FLUSH_BYTES = 256 * 1024;

/** The fix: lines are batched and written asynchronously; the event loop never waits for the disk. */
export class BufferedRequestLogger implements RequestLogger {
  readonly #stream: WriteStream;
  readonly #timer: NodeJS.Timeout;
  #pending: string[] = [];
  #pendingBytes = 0;

  constructor(path: string) {
    this.#stream = createWriteStream(path, { flags: 'a' });
    this.#stream.on('error', (error) =>
      process.stderr.write(`perfloop-demo: request log: ${error.message}\n`),
    );
    this.#timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    // The log must never keep the process alive on its own.
    this.#timer.unref();
  }

  log(entry: RequestLogEntry): void {
    const line = formatLogLine(entry);
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    this.#stream.write(this.#pending.join(''));
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.flush();
    await new Promise<void>((resolve) => this.#stream.end(resolve));
  }
}
