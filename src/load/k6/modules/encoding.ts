import { toArrayBuffer } from '../http-body.js';
/** k6/encoding: base64 in k6's four variants (std, rawstd, url, rawurl). */
type Variant = 'std' | 'rawstd' | 'url' | 'rawurl';

const toBuffer = (input: string | ArrayBuffer | Uint8Array) =>
  typeof input === 'string' ? Buffer.from(input, 'utf8') : input instanceof ArrayBuffer ? Buffer.from(input) : Buffer.from(input.buffer, input.byteOffset, input.byteLength);

export function b64encode(input: string | ArrayBuffer | Uint8Array, encoding: Variant = 'std'): string {
  const b = toBuffer(input);
  const s = encoding === 'url' || encoding === 'rawurl' ? b.toString('base64url') : b.toString('base64');
  if (encoding === 'url') return s + '='.repeat((4 - (s.length % 4)) % 4);
  if (encoding === 'rawstd') return s.replace(/=+$/, '');
  return s;
}

export function b64decode(input: string, encoding: Variant = 'std', format?: 's'): string | ArrayBuffer {
  const b = Buffer.from(input, encoding === 'url' || encoding === 'rawurl' ? 'base64url' : 'base64');
  if (format === 's') return b.toString('utf8');
  return toArrayBuffer(b);
}

export default { b64encode, b64decode };
