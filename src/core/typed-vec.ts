/**
 * Growable typed arrays: tens of millions of sample ids and deltas take 4–8 bytes each here, instead of a JS
 * array that may box them or double in size while it grows.
 */
export class Float64Vec {
  private buf: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Float64Array(Math.max(16, capacity));
  }

  push(x: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = x;
  }

  get(i: number): number {
    return this.buf[i];
  }

  /** The filled part, without copying. */
  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }

  /** A right-sized copy (frees the slack of the doubling). */
  toArray(): Float64Array {
    return this.buf.slice(0, this.length);
  }
}

export class Int32Vec {
  private buf: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Int32Array(Math.max(16, capacity));
  }

  push(x: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = x;
  }

  get(i: number): number {
    return this.buf[i];
  }

  view(): Int32Array {
    return this.buf.subarray(0, this.length);
  }

  toArray(): Int32Array {
    return this.buf.slice(0, this.length);
  }
}
