/**
 * Where an importer's bytes come from: a file (or an in-memory buffer in tests), gzip-decompressed
 * transparently when it starts with the gzip magic bytes, read in chunks so a 1 GB profile never becomes one
 * string. Progress is reported in bytes read from disk, which is what the user can relate to the file size.
 */
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, gunzipSync } from 'node:zlib';
import { PerfloopError } from '../../core/errors.js';

export type ProgressCallback = (bytesRead: number, totalBytes: number) => void;

export interface ProfileSource {
  /** What error messages call the input (the path as the user gave it). */
  readonly name: string;
  /** Size on disk (compressed when gzipped). */
  readonly size: number;
  /** Raw bytes as stored, in chunks. */
  raw(): AsyncIterable<Buffer>;
  /**
   * The same bytes in one buffer reused from chunk to chunk (a chunk is valid only until the next is asked for):
   * a 70 MB file read as fresh 1 MB buffers costs 70 MB of new pages, which the kernel faults in one by one.
   */
  reusedChunks?(): AsyncIterable<Buffer>;
}

const CHUNK = 1 << 20;

export function fileSource(path: string): ProfileSource {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (e) {
    throw new PerfloopError('PROFILE_UNREADABLE', `${path}: cannot read (${(e as Error).message})`);
  }
  return {
    name: path,
    size,
    raw: () => createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>,
    reusedChunks: () => readReused(path),
  };
}

async function* readReused(path: string): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

export function bufferSource(name: string, data: Buffer | string): ProfileSource {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return {
    name,
    size: buf.length,
    async *raw() {
      for (let i = 0; i < buf.length; i += CHUNK) yield buf.subarray(i, i + CHUNK);
    },
  };
}

export const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** The stored file's short name, for the profile's title. */
export const displayName = (s: ProfileSource) => basename(s.name);

/**
 * Decompressed bytes in chunks, with progress over the bytes read from disk. With `reuse`, a plain (not gzipped)
 * file may come in one reused buffer: each chunk is then valid only until the next.
 */
export async function* bytes(
  src: ProfileSource,
  progress?: ProgressCallback,
  options: { reuse?: boolean } = {},
): AsyncGenerator<Buffer> {
  if (options.reuse && src.reusedChunks) {
    let read = 0;
    for await (const c of src.reusedChunks()) {
      if (read === 0 && isGzip(c)) break; // decompressed the usual way below
      read += c.length;
      progress?.(read, src.size);
      yield c;
    }
    if (read > 0) return;
  }
  let read = 0;
  const counted = (async function* () {
    for await (const c of src.raw()) {
      read += c.length;
      progress?.(read, src.size);
      yield c;
    }
  })();
  const first = await counted.next();
  if (first.done) return;
  if (!isGzip(first.value)) {
    yield first.value;
    for await (const c of counted) yield c;
    return;
  }
  const gunzip = createGunzip();
  const raw = Readable.from(
    (async function* () {
      yield first.value;
      for await (const c of counted) yield c;
    })(),
  );
  raw.pipe(gunzip);
  raw.on('error', (e) => gunzip.destroy(e));
  try {
    for await (const c of gunzip) yield c as Buffer;
  } catch (e) {
    if (e instanceof PerfloopError) throw e;
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${src.name}: gzip: corrupt or truncated compressed data after ${read} bytes (${(e as Error).message})`,
    );
  }
}

/** The first `n` decompressed bytes (fewer when the input is shorter), for detecting the format. */
export async function head(src: ProfileSource, n = 64 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  let gz = false;
  for await (const c of src.raw()) {
    if (parts.length === 0) gz = isGzip(c);
    parts.push(c);
    got += c.length;
    if (got >= (gz ? Math.max(n, 256 * 1024) : n)) break;
  }
  const all = Buffer.concat(parts);
  if (!gz) return all.subarray(0, n);
  try {
    // A prefix of a gzip stream: decompress what is there and ignore the missing end.
    return gunzipSync(all, { finishFlush: 2 /* Z_SYNC_FLUSH */ }).subarray(0, n);
  } catch (e) {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${src.name}: gzip: not valid gzip data at the start of the file (${(e as Error).message})`,
    );
  }
}

/** The whole decompressed input as one buffer: only for binary formats that cannot stream (pprof). */
export async function readAll(src: ProfileSource, progress?: ProgressCallback): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of bytes(src, progress)) parts.push(c);
  return Buffer.concat(parts);
}

/** Text encoding by byte-order mark: a PowerShell redirect (`>`) writes UTF-16 LE with a BOM. */
export function textEncodingOf(b: Uint8Array): 'utf8' | 'utf16le' | 'utf16be' {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf16le';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf16be';
  return 'utf8';
}

/** Big-endian UTF-16 as little-endian, in place (pairs of bytes swapped). */
function swapPairs(b: Buffer): Buffer {
  const out = Buffer.from(b);
  return out.swap16();
}

/** The first bytes as text, whatever the BOM says they are (no BOM: UTF-8), without the BOM. */
export function decodeText(b: Buffer): string {
  const enc = textEncodingOf(b);
  if (enc === 'utf8') return b.toString('utf8').replace(/^\uFEFF/, '');
  const even = b.subarray(2, 2 + ((b.length - 2) & ~1));
  return (enc === 'utf16le' ? even : swapPairs(even)).toString('utf16le');
}

/**
 * Calls `onLine` for every line of text (1-based line numbers, without the newline or a trailing \r). A callback
 * rather than an async iterator: a million lines should not cost a million awaits.
 */
export async function eachLine(
  src: ProfileSource,
  onLine: (text: string, line: number) => void,
  progress?: ProgressCallback,
): Promise<number> {
  let decoder: StringDecoder | undefined;
  let bigEndian = false;
  let odd: Buffer | undefined; // a UTF-16 BE byte pair split across chunks
  let rest = '';
  let line = 0;
  for await (const raw of bytes(src, progress)) {
    let chunk = raw;
    if (!decoder) {
      const enc = textEncodingOf(chunk);
      decoder = new StringDecoder(enc === 'utf8' ? 'utf8' : 'utf16le');
      bigEndian = enc === 'utf16be';
      if (enc !== 'utf8') chunk = chunk.subarray(2);
      else if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    if (bigEndian) {
      const all = odd ? Buffer.concat([odd, chunk]) : chunk;
      const n = all.length & ~1;
      odd = n < all.length ? all.subarray(n) : undefined;
      chunk = swapPairs(all.subarray(0, n));
    }
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      line++;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onLine(text.slice(start, end), line);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder?.end() ?? '';
  if (rest.length > 0) onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest, ++line);
  return line;
}
