/**
 * Incremental HTTP/1.1 response parser (RFC 9112): status line, headers, then a body framed by Content-Length,
 * chunked transfer coding, or connection close. It only finds where each response ends and what it says about
 * the connection — the load engine never needs the body's bytes — so it scans buffers without copying them.
 * Written here rather than taken from llhttp/undici because this is the load engine's hot path: a bare loop on
 * `net` sockets measured ~98k req/s per core where undici's request API reached ~54k (see the load-engine issue).
 */
export interface ParsedResponse {
  status: number;
  /** Bytes of the whole response, headers included. */
  bytes: number;
  keepAlive: boolean;
}

const LF = 10;
const enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
}

export class ResponseParseError extends Error {}

export class ResponseParser {
  private state = State.Head;
  private head: Buffer[] = [];
  private headLen = 0;
  private remaining = 0;
  private status = 0;
  private bytes = 0;
  private keepAlive = true;
  private expectBody = true;
  private line = '';

  /** Must be called before the response to a HEAD request: it has no body. */
  expectNoBody(): void {
    this.expectBody = false;
  }

  /** True when a response is partially read (a close now would truncate it). */
  get inProgress(): boolean {
    return this.state !== State.Head || this.headLen > 0;
  }

  /** True when the body runs until the connection closes. */
  get readsUntilClose(): boolean {
    return this.state === State.UntilClose;
  }

  /** Completes an until-close body when the socket ends. */
  finishOnClose(): ParsedResponse | undefined {
    if (this.state !== State.UntilClose) return undefined;
    const r = { status: this.status, bytes: this.bytes, keepAlive: false };
    this.reset();
    return r;
  }

  /** Feeds bytes; calls onResponse for each complete response. Throws ResponseParseError on malformed input. */
  feed(buf: Buffer, onResponse: (r: ParsedResponse) => void): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case State.Head: {
          const start = i;
          const end = this.findHeadEnd(buf, i);
          if (end < 0) {
            this.head.push(buf.subarray(start));
            this.headLen += buf.length - start;
            if (this.headLen > 64 * 1024) throw new ResponseParseError('response headers exceed 64 KB');
            return;
          }
          this.head.push(buf.subarray(start, end));
          this.headLen += end - start;
          this.bytes += this.headLen;
          i = end;
          const done = this.parseHead();
          if (done) this.complete(onResponse);
          break;
        }
        case State.FixedBody: {
          const take = Math.min(this.remaining, buf.length - i);
          this.remaining -= take;
          this.bytes += take;
          i += take;
          if (this.remaining === 0) this.complete(onResponse);
          break;
        }
        case State.ChunkSize:
        case State.Trailers: {
          const nl = buf.indexOf(LF, i);
          const end = nl < 0 ? buf.length : nl + 1;
          this.line += buf.toString('latin1', i, end);
          this.bytes += end - i;
          i = end;
          if (nl < 0) {
            if (this.line.length > 8192) throw new ResponseParseError('chunk size line too long');
            break;
          }
          const line = this.line.trimEnd();
          this.line = '';
          if (this.state === State.Trailers) {
            if (line === '') this.complete(onResponse);
            break;
          }
          const size = parseInt(line.split(';', 1)[0], 16);
          if (!Number.isFinite(size) || size < 0) throw new ResponseParseError(`bad chunk size ${JSON.stringify(line)}`);
          if (size === 0) this.state = State.Trailers;
          else {
            this.remaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, buf.length - i);
          this.remaining -= take;
          this.bytes += take;
          i += take;
          if (this.remaining === 0) {
            this.remaining = 2; // the CRLF after the data
            this.state = State.ChunkDataEnd;
          }
          break;
        }
        case State.ChunkDataEnd: {
          const take = Math.min(this.remaining, buf.length - i);
          this.remaining -= take;
          this.bytes += take;
          i += take;
          if (this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.UntilClose:
          this.bytes += buf.length - i;
          return;
      }
    }
  }

  /** Index just past CRLFCRLF, also when the terminator straddles buffers; -1 when not in `buf`. */
  private findHeadEnd(buf: Buffer, from: number): number {
    if (this.headLen > 0) {
      // The terminator may have started in earlier buffers: look at the last 3 bytes read so far.
      const prevTail = this.headTail();
      const tail = Buffer.concat([prevTail, buf.subarray(from, from + 3)]);
      const k = tail.indexOf('\r\n\r\n');
      if (k >= 0) return from + (k + 4 - prevTail.length);
    }
    const k = buf.indexOf('\r\n\r\n', from);
    return k < 0 ? -1 : k + 4;
  }

  private headTail(): Buffer {
    const parts: Buffer[] = [];
    let need = 3;
    for (let i = this.head.length - 1; i >= 0 && need > 0; i--) {
      const b = this.head[i];
      parts.unshift(b.subarray(Math.max(0, b.length - need)));
      need -= Math.min(need, b.length);
    }
    return Buffer.concat(parts);
  }

  /** Returns true when the response has no body left to read. */
  private parseHead(): boolean {
    const text = (this.head.length === 1 ? this.head[0] : Buffer.concat(this.head)).toString('latin1');
    this.head = [];
    this.headLen = 0;
    if (!text.startsWith('HTTP/1.')) throw new ResponseParseError(`not an HTTP/1.x response: ${JSON.stringify(text.slice(0, 40))}`);
    const status = Number(text.slice(9, 12));
    if (!(status >= 100 && status <= 999)) throw new ResponseParseError(`bad status line ${JSON.stringify(text.split('\r\n', 1)[0])}`);
    this.status = status;
    this.keepAlive = text.charCodeAt(7) !== 48; // HTTP/1.0 closes by default
    let contentLength = -1;
    let chunked = false;
    let pos = text.indexOf('\r\n') + 2;
    while (pos < text.length - 2) {
      const eol = text.indexOf('\r\n', pos);
      const colon = text.indexOf(':', pos);
      if (colon > pos && colon < eol) {
        const name = text.slice(pos, colon).toLowerCase();
        if (name === 'content-length') contentLength = Number(text.slice(colon + 1, eol).trim());
        else if (name === 'transfer-encoding') chunked = /chunked/i.test(text.slice(colon + 1, eol));
        else if (name === 'connection') {
          const v = text.slice(colon + 1, eol).trim().toLowerCase();
          if (v.includes('close')) this.keepAlive = false;
          else if (v.includes('keep-alive')) this.keepAlive = true;
        }
      }
      pos = eol + 2;
    }
    if (status < 200) {
      // 1xx: an interim response; the real one follows on the same connection.
      this.bytes = 0;
      return false;
    }
    if (!this.expectBody || status === 204 || status === 304) return true;
    if (chunked) {
      this.state = State.ChunkSize;
      return false;
    }
    if (contentLength >= 0) {
      if (!Number.isFinite(contentLength)) throw new ResponseParseError('bad Content-Length');
      if (contentLength === 0) return true;
      this.remaining = contentLength;
      this.state = State.FixedBody;
      return false;
    }
    this.keepAlive = false;
    this.state = State.UntilClose;
    return false;
  }

  private complete(onResponse: (r: ParsedResponse) => void): void {
    const r = { status: this.status, bytes: this.bytes, keepAlive: this.keepAlive };
    this.reset();
    onResponse(r);
  }

  private reset(): void {
    this.state = State.Head;
    this.bytes = 0;
    this.remaining = 0;
    this.status = 0;
    this.expectBody = true;
    this.keepAlive = true;
  }
}
