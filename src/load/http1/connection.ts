import { Socket, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EncodedRequest } from './request.js';
import { ResponseParser, type ParsedResponse } from './response-parser.js';

/** What one request took, in ms from `performance.now()`'s clock. */
export interface ResponseTiming {
  status: number;
  bytesIn: number;
  bytesOut: number;
  /** When the request was handed to the connection. */
  startedAt: number;
  /** Time spent opening the TCP connection for this request (0 on a kept-alive one). */
  connectingMs: number;
  /** Handing the request's bytes to the kernel (the synchronous socket write); unset where not visible (undici). */
  sendingMs?: number;
  /** From the end of the write to the first response byte. */
  waitingMs: number;
  /** From the first to the last response byte. */
  receivingMs: number;
  durationMs: number;
  /** performance.now() when the last byte arrived (callers need not read the clock again). */
  endedAt: number;
  /** From handing the request over to writing it (queued behind pipelined requests or the connect). */
  blockedMs: number;
  /** Only when the request asked for it (`captureBody`). */
  body?: Buffer;
  /** Only when the request asked for them (`captureHeaders`): lower-case names, repeated ones as arrays. */
  headers?: Record<string, string | string[]>;
}

/** On failure `timing` is null and `startedAt` says when the request was handed over. */
export type ResponseCallback = (err: Error | null, timing: ResponseTiming | null, startedAt: number) => void;

interface Pending {
  req: EncodedRequest;
  cb: ResponseCallback;
  startedAt: number;
  writtenAt: number;
  sendingMs: number;
  firstByteAt: number;
  connectingMs: number;
}

export interface ConnectionOptions {
  timeoutMs: number;
  /** Requests in flight on the socket at once (1 = no pipelining). */
  pipelining: number;
}

/**
 * Every connection of a thread reads into this one buffer (`net`'s `onread` option): the response parser
 * consumes each read synchronously and copies the little it keeps, so no read allocates. Measured against
 * nginx: the per-read Buffer allocation and Readable-stream push of `'data'` events cost ~10 % of the
 * generator's CPU.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

type WriteCallback = (err?: Error | null) => void;
interface SocketWithGenericWrite {
  _writeGeneric?(writev: boolean, data: Buffer, encoding: string, cb: WriteCallback): void;
}

/**
 * Hands `bytes` to the socket's handle without the Writable stream around it. `net.Socket`'s `_writeGeneric` is
 * what the stream's `_write` calls; going to it directly skips the Writable bookkeeping (length and state
 * accounting, and a `process.nextTick` per write that makes Node run its tick queue after every read callback).
 * A connection never has more than its own pipelined requests to write and never ends its write side, so the
 * stream's buffering buys it nothing. Measured against nginx (bench/load-throughput.ts): see the issue note.
 * Falls back to `write()` where a Node version lacks the method.
 */
function writeToKernel(socket: Socket, bytes: Buffer, cb: WriteCallback): void {
  const generic = (socket as unknown as SocketWithGenericWrite)._writeGeneric;
  if (generic !== undefined && !socket.connecting) generic.call(socket, false, bytes, 'buffer', cb);
  else socket.write(bytes, cb);
}

/**
 * One keep-alive HTTP/1.1 connection on a raw `net` socket, with optional pipelining. Reconnects on demand
 * after the server closes it. Callbacks, not promises, on the hot path; the clock is read twice per request
 * (handed over, bytes arrived).
 */
export class Http1Connection {
  private socket: Socket | null = null;
  private connected = false;
  private connectStartedAt = 0;
  private parser = new ResponseParser();
  private readonly inFlight: Pending[] = [];
  private readonly waiting: Pending[] = [];
  private closed = false;
  /** performance.now() of the read being parsed: the end time of the responses it completes. */
  private readAt = 0;
  private readonly onResponseBound = (r: ParsedResponse): void => this.onResponse(r);
  private readonly onWriteErrorBound = (err?: Error | null): void => this.onWriteError(err);

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: ConnectionOptions,
  ) {}

  get busy(): number {
    return this.inFlight.length + this.waiting.length;
  }

  send(req: EncodedRequest, cb: ResponseCallback): void {
    const now = performance.now();
    const p: Pending = {
      req,
      cb,
      startedAt: now,
      writtenAt: 0,
      sendingMs: 0,
      firstByteAt: 0,
      connectingMs: 0,
    };
    if (this.closed) return cb(new Error('connection closed'), null, now);
    if (this.connected && this.waiting.length === 0 && this.inFlight.length < this.options.pipelining) {
      // The common case: written at once, so handed-over and written are the same instant.
      this.write(p, now);
      return;
    }
    this.waiting.push(p);
    if (!this.socket) this.open();
    else if (this.connected) this.flush();
  }

  close(): void {
    this.closed = true;
    this.failAll(new Error('connection closed'));
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): void {
    this.connectStartedAt = performance.now();
    this.parser = new ResponseParser();
    const socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          this.onData(buf as Buffer, n);
          return true; // keep reading
        },
      },
    });
    this.socket = socket;
    this.connected = false;
    socket.on('connect', () => {
      this.connected = true;
      const connectingMs = performance.now() - this.connectStartedAt;
      for (const p of this.waiting) p.connectingMs = connectingMs;
      this.flush();
    });
    socket.on('error', (err) => this.onSocketGone(socket, err));
    socket.on('close', () => this.onSocketGone(socket, null));
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.inFlight.length < this.options.pipelining) {
      this.write(this.waiting.shift()!, performance.now());
    }
  }

  private write(p: Pending, now: number): void {
    if (this.inFlight.length === 0) this.prepareParser(p.req);
    p.writtenAt = now;
    this.inFlight.push(p);
    writeToKernel(this.socket!, p.req.bytes, this.onWriteErrorBound);
    p.sendingMs = performance.now() - now;
  }

  private onWriteError(err: Error | null | undefined): void {
    if (!err) return;
    const socket = this.socket;
    socket?.destroy();
    this.onSocketGone(socket, err);
  }

  /** Tells the parser what the response at the head of the pipeline looks like. */
  private prepareParser(req: EncodedRequest): void {
    if (!req.expectsBody) this.parser.expectNoBody();
    if (req.captureBody) this.parser.captureBody();
    if (req.captureHeaders) this.parser.captureHeaders();
  }

  /** `buf` is the shared read buffer: its first `n` bytes are this read's, valid only during the call. */
  private onData(buf: Buffer, n: number): void {
    const now = performance.now();
    this.readAt = now;
    const head = this.inFlight[0];
    if (head && head.firstByteAt === 0) head.firstByteAt = now;
    try {
      this.parser.feed(buf, this.onResponseBound, n);
    } catch (err) {
      this.socket?.destroy();
      this.onSocketGone(this.socket, err as Error);
    }
  }

  private onResponse(r: ParsedResponse): void {
    const p = this.inFlight.shift();
    if (!p) return;
    const now = this.readAt;
    if (p.firstByteAt === 0) p.firstByteAt = now;
    const next = this.inFlight[0];
    if (next) {
      next.firstByteAt = 0;
      this.prepareParser(next.req);
    }
    const timing: ResponseTiming = {
      status: r.status,
      bytesIn: r.bytes,
      bytesOut: p.req.bytes.length,
      startedAt: p.startedAt,
      connectingMs: p.connectingMs,
      sendingMs: p.sendingMs,
      waitingMs: Math.max(0, p.firstByteAt - p.writtenAt - p.sendingMs),
      receivingMs: now - p.firstByteAt,
      durationMs: now - p.startedAt,
      endedAt: now,
      blockedMs: Math.max(0, p.writtenAt - p.startedAt - p.connectingMs),
      body: r.body,
      headers: r.headers,
    };
    if (!r.keepAlive) {
      // The server will close: requests behind this one go on a new connection.
      const socket = this.socket;
      this.socket = null;
      this.connected = false;
      socket?.removeAllListeners('close');
      socket?.on('error', () => {});
      socket?.destroy();
      this.waiting.unshift(...this.inFlight.splice(0));
      if (this.waiting.length > 0 && !this.closed) this.open();
    } else if (this.waiting.length > 0) this.flush();
    p.cb(null, timing, p.startedAt);
  }

  private onSocketGone(socket: Socket | null, err: Error | null): void {
    if (socket !== this.socket || socket === null) return;
    this.readAt = performance.now();
    const final = this.parser.finishOnClose();
    this.socket = null;
    this.connected = false;
    if (final) this.onResponse(final);
    // A kept-alive socket the server closed while idle is normal: reconnect for what is queued.
    const error = err ?? (this.inFlight.length > 0 ? new Error('connection closed by the server') : null);
    if (error) {
      this.failAll(error);
    } else if (this.waiting.length > 0 && !this.closed) this.open();
  }

  private failAll(err: Error): void {
    const all = [...this.inFlight.splice(0), ...this.waiting.splice(0)];
    for (const p of all) p.cb(err, null, p.startedAt);
  }

  /** Fails what is queued or in flight with `err` and drops the socket (a caller's own timeout); reusable after. */
  fail(err: Error): void {
    const socket = this.socket;
    this.socket = null;
    this.connected = false;
    socket?.destroy();
    this.failAll(err);
  }

  /**
   * Fails the connection's requests when the oldest has waited longer than the timeout. The engine calls this
   * from one periodic sweep for all connections instead of arming a timer per request.
   */
  expire(now: number): void {
    const oldest =
      this.inFlight[0]?.writtenAt ?? (this.socket && !this.connected ? this.connectStartedAt : 0);
    if (oldest === 0 || now - oldest < this.options.timeoutMs) return;
    this.fail(new Error(`request timeout after ${this.options.timeoutMs} ms`));
  }
}
