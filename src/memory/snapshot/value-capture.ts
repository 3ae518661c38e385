import type { Fail } from './strings-reader.js';

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * Any JSON value the parser does not stream (the `"snapshot"` header; trace trees and samples it does not
 * need), read chunk by chunk tracking only nesting and strings: kept as bytes up to `maxBytes` (`keep`) and
 * parsed with JSON.parse at its end, or skipped.
 */
export class ValueCapture {
  private kind = 0; // 0 not started, 1 container or string, 2 bare scalar
  private depth = 0;
  private inString = false;
  private escape = false;
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  /** Set once the value ended. */
  finished = false;

  constructor(
    private readonly keep: boolean,
    private readonly maxBytes: number,
    private readonly what: string,
    private readonly fail: Fail,
  ) {}

  /** Reads from `buf[i]` (the chunk starts at absolute offset `base`); returns where the value ended, or len. */
  read(buf: Uint8Array, i: number, base: number): number {
    const start = i;
    const len = buf.length;
    let end = len;
    for (; i < len; i++) {
      const c = buf[i];
      if (this.kind === 0) {
        this.kind = c === 123 || c === 91 || c === 34 ? 1 : 2;
        if (c === 34) this.inString = true;
        else if (this.kind === 1) this.depth = 1;
        continue;
      }
      if (this.kind === 2) {
        if (c === 44 || c === 125 || c === 93 || isWs(c)) {
          this.finished = true;
          end = i;
          break;
        }
        continue;
      }
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 92) this.escape = true;
        else if (c === 34) {
          this.inString = false;
          if (this.depth === 0) {
            this.finished = true;
            end = i + 1;
            break;
          }
        }
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        if (--this.depth === 0) {
          this.finished = true;
          end = i + 1;
          break;
        }
      }
    }
    if (this.keep) {
      this.bytes += end - start;
      if (this.bytes > this.maxBytes)
        this.fail(`the end of ${this.what} within ${this.maxBytes} bytes`, base + i, buf[i]);
      this.chunks.push(buf.slice(start, end));
    }
    return this.finished ? end : len;
  }

  /** The kept value's text (call once finished). */
  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    this.chunks = [];
    return text;
  }
}
