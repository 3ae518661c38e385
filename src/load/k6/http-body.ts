import { randomBytes } from 'node:crypto';

/**
 * Request bodies as k6 sends them: a string or bytes as given; an object form-encoded
 * (`application/x-www-form-urlencoded`, keys sorted as Go's url.Values.Encode does), or `multipart/form-data`
 * when one of its values is an `http.file(…)`.
 */

export interface K6File {
  data: string | ArrayBuffer | Uint8Array;
  filename: string;
  content_type: string;
  /** Marks the object as made by http.file. */
  readonly __k6file: true;
}

export type K6Body = string | ArrayBuffer | Uint8Array | Record<string, unknown> | null | undefined;

export function k6File(data: K6File['data'], filename?: string, contentType?: string): K6File {
  return {
    data,
    filename: filename ?? `file-${randomBytes(4).toString('hex')}`,
    content_type: contentType ?? 'application/octet-stream',
    __k6file: true,
  };
}

const isFile = (v: unknown): v is K6File => typeof v === 'object' && v !== null && '__k6file' in v;
const bytes = (d: K6File['data']): Buffer =>
  typeof d === 'string' ? Buffer.from(d) : d instanceof ArrayBuffer ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength);

const fieldValue = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

export interface EncodedBody {
  body: Buffer | undefined;
  contentType?: string;
  /** What `res.request.body` shows. */
  text: string;
}

export function encodeBody(body: K6Body): EncodedBody {
  if (body === undefined || body === null) return { body: undefined, text: '' };
  if (typeof body === 'string') return { body: Buffer.from(body), text: body };
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const b = bytes(body as ArrayBuffer);
    return { body: b, text: b.toString('latin1') };
  }
  const entries = Object.entries(body).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.some(([, v]) => isFile(v))) return multipart(entries);
  const form = new URLSearchParams();
  for (const [k, v] of entries) {
    if (Array.isArray(v)) for (const x of v) form.append(k, fieldValue(x));
    else form.append(k, fieldValue(v));
  }
  const text = form.toString();
  return { body: Buffer.from(text), contentType: 'application/x-www-form-urlencoded', text };
}

function multipart(entries: [string, unknown][]): EncodedBody {
  const boundary = randomBytes(30).toString('hex');
  const parts: Buffer[] = [];
  const quote = (s: string) => s.replace(/["\\]/g, '\\$&');
  for (const [k, v] of entries) {
    if (isFile(v)) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quote(k)}"; filename="${quote(v.filename)}"\r\nContent-Type: ${v.content_type}\r\n\r\n`,
        ),
        bytes(v.data),
        Buffer.from('\r\n'),
      );
    } else
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(k)}"\r\n\r\n${fieldValue(v)}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const b = Buffer.concat(parts);
  return { body: b, contentType: `multipart/form-data; boundary=${boundary}`, text: b.toString('latin1') };
}

/** A copy of the bytes as a plain ArrayBuffer (what k6 APIs hand to scripts for binary data). */
export function toArrayBuffer(b: Buffer): ArrayBuffer {
  const ab = new ArrayBuffer(b.length);
  new Uint8Array(ab).set(b);
  return ab;
}
