/**
 * Append-only typed buffers for the snapshot parser: sized from the header's counts when it has them,
 * doubled when a file holds more than announced, trimmed at the end without a copy.
 */
export class GrowableUint32 {
  private buf: Uint32Array;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint32Array(Math.max(16, capacity));
  }

  reserve(capacity: number): void {
    if (capacity > this.buf.length) this.resize(capacity);
  }

  push(v: number): void {
    if (this.length === this.buf.length) this.resize(this.buf.length * 2);
    this.buf[this.length++] = v;
  }

  private resize(capacity: number): void {
    const next = new Uint32Array(capacity);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** The values, as a view when the buffer is exactly full, else as a trimmed copy. */
  finish(): Uint32Array {
    const out = this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
    this.buf = new Uint32Array(0);
    return out;
  }
}

export class GrowableBytes {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 1 << 20) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  append(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.ensure(n);
    this.buf.set(src.subarray(start, end), this.length);
    this.length += n;
  }

  /** One Unicode code point as UTF-8 (lone surrogates become U+FFFD, as TextDecoder would show them). */
  appendCodePoint(cp: number): void {
    this.ensure(4);
    const b = this.buf;
    let i = this.length;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) b[i++] = cp;
    else if (cp < 0x800) {
      b[i++] = 0xc0 | (cp >> 6);
      b[i++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      b[i++] = 0xe0 | (cp >> 12);
      b[i++] = 0x80 | ((cp >> 6) & 0x3f);
      b[i++] = 0x80 | (cp & 0x3f);
    } else {
      b[i++] = 0xf0 | (cp >> 18);
      b[i++] = 0x80 | ((cp >> 12) & 0x3f);
      b[i++] = 0x80 | ((cp >> 6) & 0x3f);
      b[i++] = 0x80 | (cp & 0x3f);
    }
    this.length = i;
  }

  /** The bytes: a view when the buffer is mostly used (sized up front), else a trimmed copy. */
  finish(): Uint8Array {
    const out = this.length >= this.buf.length / 2 ? this.buf.subarray(0, this.length) : this.buf.slice(0, this.length);
    this.buf = new Uint8Array(0);
    return out;
  }
}
