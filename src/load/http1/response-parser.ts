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
  /** The status line's HTTP-version minor digit: 0 for `HTTP/1.0`, 1 for `HTTP/1.1`. */
  httpMinor: number;
  /** The body, only when `captureBody()` was called for this response (checks on the body). */
  body?: Buffer;
  /** Header names lower-cased, repeated headers as arrays; only when `captureHeaders()` was called (k6 scripts). */
  headers?: Record<string, string | string[]>;
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

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const COLON = 58;
const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CONNECTION = Buffer.from('connection');
const KEEP_ALIVE = Buffer.from('keep-alive');
const CLOSE = Buffer.from('close');

/** Case-insensitive compare of the header name at `pos` with a lower-case name (letters and '-' only). */
function nameIs(b: Buffer, pos: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) if ((b[pos + i] | 0x20) !== lower[i]) return false;
  return true;
}

/** A header value that must be a non-negative decimal (Content-Length), optional whitespace around it. */
function parseDecimal(b: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to && (b[i] === 32 || b[i] === 9)) i++;
  let n = 0;
  let digits = 0;
  for (; i < to && b[i] >= 48 && b[i] <= 57; i++, digits++) n = n * 10 + (b[i] - 48);
  while (i < to && (b[i] === 32 || b[i] === 9 || b[i] === 13)) i++;
  if (digits === 0 || i !== to || !Number.isSafeInteger(n))
    throw new ResponseParseError(
      `bad Content-Length ${JSON.stringify(b.toString('latin1', from, to).trim())}`,
    );
  return n;
}

/** Adds the header line `b[pos, eol)` (colon at `colon`) to `headers`: name lower-cased, value trimmed (OWS, CR). */
function addHeader(
  headers: Record<string, string | string[]>,
  b: Buffer,
  pos: number,
  colon: number,
  eol: number,
): void {
  const name = b.toString('latin1', pos, colon).toLowerCase();
  let v = colon + 1;
  let e = eol;
  while (v < e && (b[v] === 32 || b[v] === 9)) v++;
  while (e > v && (b[e - 1] === 13 || b[e - 1] === 32 || b[e - 1] === 9)) e--;
  const value = b.toString('latin1', v, e);
  const had = headers[name];
  if (had === undefined) headers[name] = value;
  else if (Array.isArray(had)) had.push(value);
  else headers[name] = [had, value];
}

export class ResponseParser {
  private state = State.Head;
  private head: Buffer[] = [];
  private headLen = 0;
  private remaining = 0;
  private status = 0;
  private bytes = 0;
  private keepAlive = true;
  private httpMinor = 1;
  private expectBody = true;
  private capture = false;
  private bodyParts: Buffer[] = [];
  private line = '';
  private wantHeaders = false;
  private headers: Record<string, string | string[]> | undefined;
  /** Set by parseHead: the response just parsed has no body left to read. */
  private headDone = false;

  /** Must be called before the response to a HEAD request: it has no body. */
  expectNoBody(): void {
    this.expectBody = false;
  }

  /** Keep the next response's body (declarative checks look at it); by default bodies are only skipped. */
  captureBody(): void {
    this.capture = true;
  }

  /** Keep the next response's headers (k6 scripts read them); the load engine's URL mode never does. */
  captureHeaders(): void {
    this.wantHeaders = true;
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
    const r: ParsedResponse = {
      status: this.status,
      bytes: this.bytes,
      keepAlive: false,
      httpMinor: this.httpMinor,
      body: this.takeBody(),
      headers: this.headers,
    };
    this.reset();
    return r;
  }

  /**
   * Feeds bytes; calls onResponse for each complete response. Throws ResponseParseError on malformed input.
   * `buf` may be reused by the caller once feed returns (the connection reads into one shared buffer): what the
   * parser keeps across calls — a partial head, a captured body — it copies.
   */
  feed(buf: Buffer, onResponse: (r: ParsedResponse) => void, end = buf.length): void {
    let i = 0;
    while (i < end) {
      switch (this.state) {
        case State.Head: {
          const start = i;
          if (this.headLen === 0) {
            // The common case, a whole head in this read: one pass finds its end and parses it.
            const headEnd = this.parseHead(buf, start, end);
            if (headEnd >= 0) {
              if (this.status >= 200) this.bytes += headEnd - start; // an interim 1xx head is not counted
              i = headEnd;
              if (this.headDone) this.complete(onResponse);
              break;
            }
          }
          const headEnd = this.findHeadEnd(buf, i, end);
          if (headEnd < 0) {
            this.head.push(Buffer.from(buf.subarray(start, end)));
            this.headLen += end - start;
            if (this.headLen > 64 * 1024) throw new ResponseParseError('response headers exceed 64 KB');
            return;
          }
          this.head.push(buf.subarray(start, headEnd));
          this.bytes += this.headLen + headEnd - start;
          const whole = Buffer.concat(this.head);
          this.head = [];
          this.headLen = 0;
          this.parseHead(whole, 0, whole.length);
          i = headEnd;
          if (this.headDone) this.complete(onResponse);
          break;
        }
        case State.FixedBody: {
          const take = Math.min(this.remaining, end - i);
          if (this.capture) this.bodyParts.push(Buffer.from(buf.subarray(i, i + take)));
          this.remaining -= take;
          this.bytes += take;
          i += take;
          if (this.remaining === 0) this.complete(onResponse);
          break;
        }
        case State.ChunkSize:
        case State.Trailers: {
          const nl = buf.indexOf(LF, i);
          const whole = nl >= 0 && nl < end;
          const lineEnd = whole ? nl + 1 : end;
          this.line += buf.toString('latin1', i, lineEnd);
          this.bytes += lineEnd - i;
          i = lineEnd;
          if (!whole) {
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
          if (!Number.isFinite(size) || size < 0)
            throw new ResponseParseError(`bad chunk size ${JSON.stringify(line)}`);
          if (size === 0) this.state = State.Trailers;
          else {
            this.remaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, end - i);
          if (this.capture) this.bodyParts.push(Buffer.from(buf.subarray(i, i + take)));
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
          const take = Math.min(this.remaining, end - i);
          this.remaining -= take;
          this.bytes += take;
          i += take;
          if (this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.UntilClose:
          if (this.capture) this.bodyParts.push(Buffer.from(buf.subarray(i, end)));
          this.bytes += end - i;
          return;
      }
    }
  }

  /** Index just past CRLFCRLF, also when the terminator straddles buffers; -1 when not in `buf`. */
  private findHeadEnd(buf: Buffer, from: number, end: number): number {
    if (this.headLen > 0) {
      // The terminator may have started in earlier buffers: look at the last 3 bytes read so far.
      const prevTail = this.headTail();
      const tail = Buffer.concat([prevTail, buf.subarray(from, Math.min(end, from + 3))]);
      const k = tail.indexOf('\r\n\r\n');
      if (k >= 0) return from + (k + 4 - prevTail.length);
    }
    const k = buf.indexOf(HEAD_END, from);
    return k < 0 || k + 4 > end ? -1 : k + 4;
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

  /**
   * Parses the head that starts at `b[start]` (status line and headers) straight from the bytes, in the same
   * pass that looks for its end (the first CRLFCRLF before `limit`): no string is made for the headers that do
   * not matter, which is most of the parse cost per response. Returns the index just past the head, or -1 when
   * the head does not end before `limit` (nothing is validated then: the rest is still to come). Sets
   * `headDone` when the response has no body left to read.
   */
  private parseHead(b: Buffer, start: number, limit: number): number {
    let pos = start;
    while (pos < limit && b[pos] !== LF) pos++;
    if (pos >= limit) return -1;
    pos++;
    // "HTTP/1.x SSS"
    const at = (i: number) => b[start + i];
    if (
      pos - start < 13 ||
      at(0) !== 72 ||
      at(1) !== 84 ||
      at(2) !== 84 ||
      at(3) !== 80 ||
      at(4) !== 47 ||
      at(5) !== 49 ||
      at(6) !== 46
    ) {
      throw new ResponseParseError(
        `not an HTTP/1.x response: ${JSON.stringify(b.toString('latin1', start, Math.min(limit, start + 40)))}`,
      );
    }
    const d0 = at(9) - 48;
    const d1 = at(10) - 48;
    const d2 = at(11) - 48;
    if (!(d0 >= 1 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) {
      throw new ResponseParseError(
        `bad status line ${JSON.stringify(b.toString('latin1', start, b.indexOf(13, start)))}`,
      );
    }
    const status = d0 * 100 + d1 * 10 + d2;
    this.status = status;
    this.keepAlive = at(7) !== 48; // HTTP/1.0 closes by default
    this.httpMinor = at(7) - 48;
    let contentLength = -1;
    let chunked = false;
    // 1xx responses are interim: only the final response's headers are kept.
    const headers: Record<string, string | string[]> | undefined =
      this.wantHeaders && status >= 200 ? Object.create(null) : undefined; // no prototype: any name is data
    this.headers = headers;
    for (;;) {
      // The head ends at the first CRLFCRLF: an empty line whose line before ended in CRLF.
      if (pos + 1 < limit && b[pos] === 13 && b[pos + 1] === LF && b[pos - 2] === 13) break;
      let eol = pos;
      while (eol < limit && b[eol] !== LF) eol++;
      if (eol >= limit) return -1;
      // Only Content-Length, Connection and Transfer-Encoding matter: others are skipped on their first letter.
      const first = b[pos] | 0x20;
      let colon = eol;
      if (headers) {
        colon = pos;
        while (colon < eol && b[colon] !== COLON) colon++;
        if (colon < eol) addHeader(headers, b, pos, colon, eol);
      } else if (first === 99 || first === 116) {
        colon = pos;
        while (colon < eol && b[colon] !== COLON) colon++;
      }
      if (colon < eol) {
        // Only three headers matter: compare by length first, so other headers cost nothing more.
        const len = colon - pos;
        if (len === 14 && nameIs(b, pos, CONTENT_LENGTH)) contentLength = parseDecimal(b, colon + 1, eol);
        else if (len === 17 && nameIs(b, pos, TRANSFER_ENCODING))
          chunked = /chunked/i.test(b.toString('latin1', colon + 1, eol));
        else if (len === 10 && nameIs(b, pos, CONNECTION)) this.connectionHeader(b, colon + 1, eol);
      }
      pos = eol + 1;
    }
    this.headDone = this.afterHead(status, chunked, contentLength);
    return pos + 2;
  }

  /** The Connection header's value in `b[v, eol)`: the usual values compared in place, a token list as a string. */
  private connectionHeader(b: Buffer, v: number, eol: number): void {
    while (b[v] === 32 || b[v] === 9) v++;
    if (eol - v >= 10 && nameIs(b, v, KEEP_ALIVE)) this.keepAlive = true;
    else if (eol - v >= 5 && nameIs(b, v, CLOSE)) this.keepAlive = false;
    else {
      const t = b.toString('latin1', v, eol).toLowerCase();
      if (t.includes('close')) this.keepAlive = false;
      else if (t.includes('keep-alive')) this.keepAlive = true;
    }
  }

  /** Sets the body state from the head; true when the response has no body left to read. */
  private afterHead(status: number, chunked: boolean, contentLength: number): boolean {
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
    const r: ParsedResponse = {
      status: this.status,
      bytes: this.bytes,
      keepAlive: this.keepAlive,
      httpMinor: this.httpMinor,
      body: this.takeBody(),
      headers: this.headers,
    };
    this.reset();
    onResponse(r);
  }

  private takeBody(): Buffer | undefined {
    if (!this.capture) return undefined;
    const body = this.bodyParts.length === 1 ? this.bodyParts[0] : Buffer.concat(this.bodyParts);
    this.bodyParts = [];
    return body;
  }

  private reset(): void {
    this.capture = false;
    this.wantHeaders = false;
    this.headers = undefined;
    this.bodyParts = [];
    this.state = State.Head;
    this.bytes = 0;
    this.remaining = 0;
    this.status = 0;
    this.expectBody = true;
    this.keepAlive = true;
  }
}
