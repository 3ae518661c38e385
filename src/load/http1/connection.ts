import { Socket, connect } from 'node:net';
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
  /** From the write to the first response byte. */
  waitingMs: number;
  /** From the first to the last response byte. */
  receivingMs: number;
  durationMs: number;
  /** From handing the request over to writing it (queued behind pipelined requests or the connect). */
  blockedMs: number;
  /** Only when the request asked for it (`captureBody`). */
  body?: Buffer;
}

export type ResponseCallback = (err: Error | null, timing: ResponseTiming | null) => void;

interface Pending {
  req: EncodedRequest;
  cb: ResponseCallback;
  startedAt: number;
  writtenAt: number;
  firstByteAt: number;
  connectingMs: number;
}

export interface ConnectionOptions {
  timeoutMs: number;
  /** Requests in flight on the socket at once (1 = no pipelining). */
  pipelining: number;
}

/**
 * One keep-alive HTTP/1.1 connection on a raw `net` socket, with optional pipelining. Reconnects on demand
 * after the server closes it. Callbacks, not promises, on the hot path.
 */
export class Http1Connection {
  private socket: Socket | null = null;
  private connected = false;
  private connectStartedAt = 0;
  private parser = new ResponseParser();
  private readonly inFlight: Pending[] = [];
  private readonly waiting: Pending[] = [];
  private closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: ConnectionOptions,
  ) {}

  get busy(): number {
    return this.inFlight.length + this.waiting.length;
  }

  send(req: EncodedRequest, cb: ResponseCallback): void {
    const p: Pending = {
      req,
      cb,
      startedAt: performance.now(),
      writtenAt: 0,
      firstByteAt: 0,
      connectingMs: 0,
    };
    if (this.closed) return cb(new Error('connection closed'), null);
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
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.connected = false;
    socket.on('connect', () => {
      this.connected = true;
      const connectingMs = performance.now() - this.connectStartedAt;
      for (const p of this.waiting) p.connectingMs = connectingMs;
      this.flush();
    });
    socket.on('data', (buf: Buffer) => this.onData(buf));
    socket.on('error', (err) => this.onSocketGone(socket, err));
    socket.on('close', () => this.onSocketGone(socket, null));
  }

  private flush(): void {
    const socket = this.socket!;
    while (this.waiting.length > 0 && this.inFlight.length < this.options.pipelining) {
      const p = this.waiting.shift()!;
      if (this.inFlight.length === 0) this.prepareParser(p.req);
      p.writtenAt = performance.now();
      this.inFlight.push(p);
      socket.write(p.req.bytes);
    }
  }

  /** Tells the parser what the response at the head of the pipeline looks like. */
  private prepareParser(req: EncodedRequest): void {
    if (!req.expectsBody) this.parser.expectNoBody();
    if (req.captureBody) this.parser.captureBody();
  }

  private onData(buf: Buffer): void {
    const now = performance.now();
    const head = this.inFlight[0];
    if (head && head.firstByteAt === 0) head.firstByteAt = now;
    try {
      this.parser.feed(buf, (r) => this.onResponse(r));
    } catch (err) {
      this.socket?.destroy();
      this.onSocketGone(this.socket, err as Error);
    }
  }

  private onResponse(r: ParsedResponse): void {
    const p = this.inFlight.shift();
    if (!p) return;
    const now = performance.now();
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
      waitingMs: p.firstByteAt - p.writtenAt,
      receivingMs: now - p.firstByteAt,
      durationMs: now - p.startedAt,
      blockedMs: Math.max(0, p.writtenAt - p.startedAt - p.connectingMs),
      body: r.body,
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
    p.cb(null, timing);
  }

  private onSocketGone(socket: Socket | null, err: Error | null): void {
    if (socket !== this.socket || socket === null) return;
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
    for (const p of all) p.cb(err, null);
  }

  /**
   * Fails the connection's requests when the oldest has waited longer than the timeout. The engine calls this
   * from one periodic sweep for all connections instead of arming a timer per request.
   */
  expire(now: number): void {
    const oldest =
      this.inFlight[0]?.writtenAt ?? (this.socket && !this.connected ? this.connectStartedAt : 0);
    if (oldest === 0 || now - oldest < this.options.timeoutMs) return;
    const socket = this.socket;
    this.socket = null;
    this.connected = false;
    socket?.destroy();
    this.failAll(new Error(`request timeout after ${this.options.timeoutMs} ms`));
  }
}
