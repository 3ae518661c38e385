/**
 * The hot path of the text importers (folded, perf script) on big files, written here rather than taken from a
 * library because it is the core of their speed: lines are found and compared as bytes, never decoded into one
 * string per line, and a frame's text is interned by its bytes (a hash table over a byte arena), so a string
 * is made once per distinct frame, not once per occurrence. A 70 MB file of 100-frame lines is 20 million frame
 * occurrences over a thousand distinct names. UTF-8 (and ASCII) only: UTF-16 files go the decoding way.
 */
import { bytes, textEncodingOf, type ProfileSource, type ProgressCallback } from './source.js';

/**
 * Calls `onLine(buf, start, end, line)` for every line of a UTF-8 file (the line is `buf[start, end)`, without
 * the newline or a trailing \r). A line is valid only during its call: `buf` is reused (the file is read into
 * one buffer, bytes(…, { reuse: true })). Returns false, having
 * read nothing, when the file is UTF-16 (by its BOM): the caller decodes it instead.
 */
export async function eachByteLine(
  src: ProfileSource,
  onLine: (buf: Buffer, start: number, end: number, line: number) => void,
  progress?: ProgressCallback,
): Promise<boolean> {
  let rest: Buffer | undefined;
  let line = 0;
  let first = true;
  for await (const raw of bytes(src, progress, { reuse: true })) {
    let chunk = raw;
    if (first) {
      first = false;
      if (textEncodingOf(chunk) !== 'utf8') return false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    let start = 0;
    if (rest) {
      // The line split across chunks is joined on its own; the chunk itself is never copied.
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const joined = Buffer.concat([rest, chunk.subarray(0, nl)]);
      line++;
      onLine(
        joined,
        0,
        joined.length && joined[joined.length - 1] === 13 ? joined.length - 1 : joined.length,
        line,
      );
      start = nl + 1;
    }
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      line++;
      onLine(chunk, start, nl > start && chunk[nl - 1] === 13 ? nl - 1 : nl, line);
      start = nl + 1;
    }
    // The partial last line is copied: the chunk's memory may be reused by the stream.
    rest = start < chunk.length ? Buffer.from(chunk.subarray(start)) : undefined;
  }
  if (rest && rest.length) {
    const end = rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length;
    onLine(rest, 0, end, line + 1);
  }
  return true;
}

/**
 * Distinct byte strings → small integer ids, looked up without making a string: a hash of the bytes, open
 * addressing, the bytes compared against a copy kept in an arena. `text(id)` decodes an id's bytes once.
 * Bytes are hashed and compared four at a time (little-endian words through a DataView, a Murmur3-style mix):
 * perf script is one short line per frame, so this lookup runs for every line of the file; byte at a time it was
 * the largest part of reading one (two passes over each line's symbol and module, hash then compare).
 */
export class ByteInterner {
  private slots = new Int32Array(1 << 12); // id + 1, 0 = empty
  private hashes = new Uint32Array(1 << 10);
  private starts = new Int32Array(1 << 10);
  private lengths = new Int32Array(1 << 10);
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  count = 0;

  /** The id of `buf[start, end)`, added when new. */
  id(buf: Uint8Array, start: number, end: number): number {
    const view = this.viewOf(buf);
    const len = end - start;
    let h = 0x811c9dc5 ^ len;
    let i = start;
    for (; i + 4 <= end; i += 4) h = mix(h, view.getUint32(i, true));
    if (i < end) {
      let tail = 0;
      for (let k = 0; i < end; i++, k += 8) tail |= buf[i] << k;
      h = mix(h, tail);
    }
    h = finish(h);
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s];
      if (v === 0) {
        const id = this.add(buf, start, len, h);
        this.slots[s] = id + 1;
        if (this.count * 2 > mask) this.rehash();
        return id;
      }
      const id = v - 1;
      if (this.hashes[id] === h && this.lengths[id] === len && this.same(id, view, buf, start, len))
        return id;
    }
  }

  private lastBuf: Uint8Array | null = null;
  private lastView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private arenaView: DataView<ArrayBufferLike> = new DataView(this.arena.buffer);

  /** A DataView over `buf`'s bytes, offset so that index i of the view is buf[i] (kept while buf is reused). */
  private viewOf(buf: Uint8Array): DataView<ArrayBufferLike> {
    if (buf !== this.lastBuf) {
      this.lastBuf = buf;
      this.lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.lastView;
  }

  /** The text of an id (UTF-8). */
  text(id: number): string {
    const s = this.starts[id];
    return Buffer.from(this.arena.buffer, this.arena.byteOffset + s, this.lengths[id]).toString('utf8');
  }

  private same(
    id: number,
    view: DataView<ArrayBufferLike>,
    buf: Uint8Array,
    start: number,
    len: number,
  ): boolean {
    const a = this.arena;
    const av = this.arenaView;
    const s = this.starts[id];
    let i = 0;
    for (; i + 4 <= len; i += 4)
      if (av.getUint32(s + i, true) !== view.getUint32(start + i, true)) return false;
    for (; i < len; i++) if (a[s + i] !== buf[start + i]) return false;
    return true;
  }

  private add(buf: Uint8Array, start: number, len: number, h: number): number {
    const id = this.count++;
    if (id === this.hashes.length) {
      this.hashes = grown(this.hashes, Uint32Array);
      this.starts = grown(this.starts, Int32Array);
      this.lengths = grown(this.lengths, Int32Array);
    }
    if (this.used + len > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      next.set(this.arena.subarray(0, this.used));
      this.arena = next;
      this.arenaView = new DataView(next.buffer);
    }
    this.arena.set(buf.subarray(start, start + len), this.used);
    this.hashes[id] = h;
    this.starts[id] = this.used;
    this.lengths[id] = len;
    this.used += len;
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let s = this.hashes[id] & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = id + 1;
    }
    this.slots = slots;
  }
}

/** One 32-bit word into the hash (Murmur3's block step). */
function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Murmur3's finaliser: every input bit reaches the low bits the table indexes by. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function grown<T extends Int32Array | Uint32Array>(a: T, Ctor: new (n: number) => T): T {
  const next = new Ctor(a.length * 2);
  next.set(a);
  return next;
}

/** A non-negative decimal `123` or `12.5` in `buf[start, end)`, or NaN. */
export function parseCount(buf: Uint8Array, start: number, end: number): number {
  if (end <= start) return NaN;
  let n = 0;
  let i = start;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  if (i === start) return NaN;
  if (i === end) return n;
  if (buf[i] !== 46 /* . */ || i + 1 === end) return NaN;
  for (let j = i + 1; j < end; j++) if (buf[j] < 48 || buf[j] > 57) return NaN;
  // Fractions are rare (difffolded, scaled exports): Number() rounds them exactly as a literal would.
  return Number(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'));
}
