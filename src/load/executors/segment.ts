import { PerfloopError } from '../../core/errors.js';

/**
 * k6's execution-segment idea, as stripes: a generator owns the VUs and iterations whose global number k has
 * `k % modulus === residue`. Shares are then deterministic, the shares of all segments add up exactly to the
 * whole (VUs, iterations, arrivals), and splitting a segment further across worker threads (`split`) keeps
 * ownership consistent with other processes running sibling segments.
 */
export class Segment {
  static readonly whole = new Segment(0, 1);

  constructor(
    readonly residue: number,
    readonly modulus: number,
  ) {}

  /** `i/n` with i = 1…n, as on the command line. */
  static parse(text: string): Segment {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
    const i = m ? Number(m[1]) : NaN;
    const n = m ? Number(m[2]) : NaN;
    if (!(n >= 1 && i >= 1 && i <= n)) {
      throw new PerfloopError(
        'LOAD_BAD_SEGMENT',
        `--segment ${JSON.stringify(text)}: expected i/n with 1 ≤ i ≤ n, e.g. 2/4`,
      );
    }
    return new Segment(i - 1, n);
  }

  get isWhole(): boolean {
    return this.modulus === 1;
  }

  /** Part of the whole this segment runs (1/n). */
  get fraction(): number {
    return 1 / this.modulus;
  }

  owns(k: number): boolean {
    return k % this.modulus === this.residue;
  }

  /** How many of the numbers 0…total-1 this segment owns; all segments' shares add up to `total`. */
  share(total: number): number {
    const n = Math.floor(total);
    return n > this.residue ? Math.floor((n - 1 - this.residue) / this.modulus) + 1 : 0;
  }

  /** The global number of this segment's `local`-th owned item. */
  globalIndex(local: number): number {
    return local * this.modulus + this.residue;
  }

  /** Sub-segment `j` of `parts` (e.g. one worker thread's share of this generator's share). */
  split(j: number, parts: number): Segment {
    return new Segment(this.residue + j * this.modulus, this.modulus * parts);
  }

  toJSON() {
    return { residue: this.residue, modulus: this.modulus };
  }

  static fromJSON(j: { residue: number; modulus: number }): Segment {
    return new Segment(j.residue, j.modulus);
  }

  toString(): string {
    return `${this.residue + 1}/${this.modulus}`;
  }
}
