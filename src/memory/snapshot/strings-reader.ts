import { GrowableBytes, GrowableUint32 } from './growable.js';
import { StringTable } from './string-table.js';

/** Reports malformed input at an absolute byte offset; never returns. */
export type Fail = (expected: string, offset: number, found?: number) => never;

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

// States: 1 expect '"' or ']', 2 in string, 3 after '\', 4 in \uXXXX, 5 after value, 6 after comma.
const enum St {
  Open = 1,
  InString,
  Escape,
  Hex,
  AfterValue,
  AfterComma,
}

/**
 * The snapshot's `"strings"` array, `["…","…",…]` after its '[', read chunk by chunk: unescaped into one
 * UTF-8 buffer, string i at offsets[i]..offsets[i+1] (a StringTable), never as JS strings. JSON's \uXXXX
 * surrogate pairs are joined; a lone surrogate becomes U+FFFD, as a UTF-8 encoder would make it.
 */
export class StringsReader {
  private st = St.Open;
  private hexCount = 0;
  private hexValue = 0;
  private pendingHigh = -1;
  private readonly bytes: GrowableBytes;
  private readonly offsets = new GrowableUint32();
  /** Set once the closing ']' was read. */
  table: StringTable | undefined;

  /** `capacity`: an upper bound of the strings' bytes (unescaping only shrinks text), so one allocation. */
  constructor(
    capacity: number,
    private readonly fail: Fail,
  ) {
    this.bytes = new GrowableBytes(capacity);
    this.offsets.push(0);
  }

  /** Reads from `buf[i]` (the chunk starts at absolute offset `base`); returns where it stopped. */
  read(buf: Uint8Array, i: number, base: number): number {
    const bytes = this.bytes;
    const len = buf.length;
    while (i < len) {
      const st = this.st;
      if (st === St.InString) {
        const start = i;
        let c = 0;
        while (i < len) {
          c = buf[i];
          if (c === 34 || c === 92) break;
          i++;
        }
        if (i > start) {
          this.flushHigh();
          bytes.append(buf, start, i);
        }
        if (i === len) break;
        i++;
        if (c === 34) {
          this.flushHigh();
          this.offsets.push(bytes.length);
          this.st = St.AfterValue;
        } else this.st = St.Escape;
        continue;
      }
      const c = buf[i];
      if (st === St.Escape) {
        let v = -1;
        switch (c) {
          case 34:
          case 92:
          case 47:
            v = c;
            break;
          case 110:
            v = 10;
            break;
          case 116:
            v = 9;
            break;
          case 114:
            v = 13;
            break;
          case 98:
            v = 8;
            break;
          case 102:
            v = 12;
            break;
          case 117:
            this.st = St.Hex;
            this.hexCount = 0;
            this.hexValue = 0;
            i++;
            continue;
          default:
            this.fail('a JSON escape (\\n, \\", \\uXXXX, …) in "strings"', base + i, c);
        }
        this.codeUnit(v);
        this.st = St.InString;
        i++;
      } else if (st === St.Hex) {
        const h =
          c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
        if (h < 0) this.fail('a hex digit of \\uXXXX in "strings"', base + i, c);
        this.hexValue = this.hexValue * 16 + h;
        if (++this.hexCount === 4) {
          this.codeUnit(this.hexValue);
          this.st = St.InString;
        }
        i++;
      } else if (isWs(c)) {
        i++;
      } else if (c === 34 && (st === St.Open || st === St.AfterComma)) {
        this.st = St.InString;
        i++;
      } else if (c === 44 && st === St.AfterValue) {
        this.st = St.AfterComma;
        i++;
      } else if (c === 93 && (st === St.Open || st === St.AfterValue)) {
        this.table = new StringTable(bytes.finish(), this.offsets.finish());
        return i + 1;
      } else {
        this.fail(
          st === St.AfterValue ? `',' or ']' in "strings"` : `'"' (a string) in "strings"`,
          base + i,
          c,
        );
      }
    }
    return i;
  }

  private flushHigh(): void {
    if (this.pendingHigh >= 0) {
      this.bytes.appendCodePoint(0xfffd);
      this.pendingHigh = -1;
    }
  }

  private codeUnit(u: number): void {
    if (u >= 0xd800 && u <= 0xdbff) {
      this.flushHigh();
      this.pendingHigh = u;
    } else if (u >= 0xdc00 && u <= 0xdfff && this.pendingHigh >= 0) {
      this.bytes.appendCodePoint(0x10000 + ((this.pendingHigh - 0xd800) << 10) + (u - 0xdc00));
      this.pendingHigh = -1;
    } else {
      this.flushHigh();
      this.bytes.appendCodePoint(u);
    }
  }
}
