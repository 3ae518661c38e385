import { toArrayBuffer } from '../http-body.js';
/** k6/crypto: hashes, HMAC and random bytes on node:crypto, with k6's output encodings. */
import { createHash as nodeHash, createHmac, randomBytes as nodeRandom } from 'node:crypto';

type Input = string | ArrayBuffer | Uint8Array;
type OutputEncoding = 'hex' | 'base64' | 'base64url' | 'base64rawurl' | 'binary';

const ALGORITHMS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

const bytes = (d: Input): Buffer =>
  typeof d === 'string' ? Buffer.from(d) : d instanceof ArrayBuffer ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength);

function algorithm(name: string): string {
  const a = ALGORITHMS[name];
  if (!a) throw new Error(`unsupported hash algorithm ${JSON.stringify(name)}`);
  return a;
}

function encode(b: Buffer, enc: OutputEncoding = 'hex'): string | ArrayBuffer {
  switch (enc) {
    case 'binary':
      return toArrayBuffer(b);
    case 'base64':
      return b.toString('base64');
    case 'base64url': {
      const s = b.toString('base64url');
      return s + '='.repeat((4 - (s.length % 4)) % 4);
    }
    case 'base64rawurl':
      return b.toString('base64url');
    default:
      return b.toString('hex');
  }
}

/** k6's hasher may be digested more than once (different encodings of the same hash): it keeps its input. */
class Hasher {
  private readonly chunks: Buffer[] = [];
  constructor(
    private readonly algo: string,
    private readonly secret?: Buffer,
  ) {}
  update(d: Input): void {
    this.chunks.push(bytes(d));
  }
  digest(enc?: OutputEncoding) {
    const h = this.secret ? createHmac(this.algo, this.secret) : nodeHash(this.algo);
    for (const c of this.chunks) h.update(c);
    return encode(h.digest(), enc);
  }
}

export const createHash = (algo: string) => new Hasher(algorithm(algo));
export const createHMAC = (algo: string, secret: Input) => new Hasher(algorithm(algo), bytes(secret));
export const hmac = (algo: string, secret: Input, data: Input, enc?: OutputEncoding) =>
  encode(createHmac(algorithm(algo), bytes(secret)).update(bytes(data)).digest(), enc);
const hashWith = (algo: string) => (data: Input, enc?: OutputEncoding) =>
  encode(nodeHash(algorithm(algo)).update(bytes(data)).digest(), enc);
export const md4 = hashWith('md4');
export const md5 = hashWith('md5');
export const sha1 = hashWith('sha1');
export const sha256 = hashWith('sha256');
export const sha384 = hashWith('sha384');
export const sha512 = hashWith('sha512');
export const sha512_224 = hashWith('sha512_224');
export const sha512_256 = hashWith('sha512_256');
export const ripemd160 = hashWith('ripemd160');
export function randomBytes(n: number): ArrayBuffer {
  const b = nodeRandom(n);
  return toArrayBuffer(b);
}

export default {
  createHash, createHMAC, hmac, md4, md5, sha1, sha256, sha384, sha512, sha512_224, sha512_256, ripemd160, randomBytes,
};
