/**
 * The snapshot's `strings` section held as UTF-8 bytes plus offsets — two typed arrays instead of
 * millions of JS strings, so a big snapshot's strings cost their bytes and cross a worker boundary
 * without a copy. Strings are decoded on demand.
 */
const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

export class StringTable {
  /** offsets[i]..offsets[i+1] are string i's bytes. */
  constructor(
    readonly bytes: Uint8Array,
    readonly offsets: Uint32Array,
  ) {}

  get length(): number {
    return this.offsets.length - 1;
  }

  get(i: number): string {
    if (i < 0 || i >= this.offsets.length - 1) return '';
    const start = this.offsets[i];
    const end = this.offsets[i + 1];
    if (end - start === 0) return '';
    return decoder.decode(this.bytes.subarray(start, end));
  }

  /** Byte length of string i (the cheap way to skip long strings before decoding them). */
  byteLength(i: number): number {
    return this.offsets[i + 1] - this.offsets[i];
  }

  /** True when string i equals `s`, compared as bytes (no decoding). */
  equals(i: number, s: string | Uint8Array): boolean {
    const want = typeof s === 'string' ? encoder.encode(s) : s;
    const start = this.offsets[i];
    if (this.offsets[i + 1] - start !== want.length) return false;
    for (let k = 0; k < want.length; k++) if (this.bytes[start + k] !== want[k]) return false;
    return true;
  }

  /** Index of the first string equal to `s`, or -1 (a linear scan: for the handful of names rules look up). */
  indexOf(s: string): number {
    const want = encoder.encode(s);
    for (let i = 0; i < this.length; i++) if (this.equals(i, want)) return i;
    return -1;
  }
}
