/**
 * A streaming reader for the JSON shapes profiles come in (RFC 8259: https://www.rfc-editor.org/rfc/rfc8259):
 * one top-level object whose members are read one at a time, or one top-level array. A 500 MB `.cpuprofile`
 * is mostly two arrays of numbers and an array of small node objects; JSON.parse of the whole text would need
 * the file as one string (V8 caps strings near 512 MB) plus the full object graph. Here each member is read
 * the way its consumer wants it:
 * - `numbers`: an array of numbers, parsed straight from the bytes (no strings, no boxed arrays);
 * - `elements`: an array whose elements are JSON.parse'd one at a time;
 * - `value`: the member parsed whole; `skip`: scanned past.
 */
import { PerfloopError } from '../../core/errors.js';
import { bytes, type ProfileSource, type ProgressCallback } from './source.js';

export type MemberMode = 'value' | 'elements' | 'numbers' | 'skip';

export interface JsonScanHandler {
  /** How to read member `key` of the top-level object (`[]` names a top-level array). */
  mode(key: string): MemberMode;
  value?(key: string, value: unknown): void;
  element?(key: string, value: unknown, index: number): void;
  number?(key: string, n: number): void;
}

const START = 0,
  OBJ = 1,
  KEY = 2,
  COLON = 3,
  MEMBER = 4,
  ELEMS = 5,
  NUMS = 6,
  CAPTURE = 7,
  END = 8;
const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export class JsonScanner {
  private state = START;
  private offset = 0; // absolute byte offset of the current chunk's start
  private topArray = false;
  private key = '';
  private mode: MemberMode = 'skip';
  private keyParts: Buffer[] = [];
  private keyEsc = false;
  private elemIndex = 0;
  // number parsing
  private num = 0;
  private numDigits = 0;
  private numNeg = false;
  private numSlow: string | null = null;
  // generic value capture
  private capDepth = 0;
  private capInStr = false;
  private capEsc = false;
  private capPrim = false;
  private capKeep = false;
  private capParts: Buffer[] = [];
  private capStartAbs = 0;
  private capIsElement = false;

  constructor(
    private readonly handler: JsonScanHandler,
    private readonly where: string,
  ) {}

  private fail(at: number, what: string): never {
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${this.where}: invalid JSON at byte ${at}: ${what}`);
  }

  private memberDone(): void {
    this.state = this.topArray ? END : OBJ;
  }

  private beginMember(c: number, i: number, chunk: Buffer): number {
    if ((this.mode === 'elements' || this.mode === 'numbers') && c === 0x5b /* [ */) {
      this.elemIndex = 0;
      this.state = this.mode === 'elements' ? ELEMS : NUMS;
      this.resetNum();
      return i;
    }
    return this.beginCapture(
      c,
      i,
      chunk,
      this.mode === 'value' || this.mode === 'elements' || this.mode === 'numbers',
      false,
    );
  }

  private beginCapture(c: number, i: number, chunk: Buffer, keep: boolean, isElement: boolean): number {
    this.state = CAPTURE;
    this.capKeep = keep;
    this.capIsElement = isElement;
    this.capParts = [];
    this.capStartAbs = this.offset + i;
    this.capEsc = false;
    this.capPrim = false;
    this.capInStr = false;
    this.capDepth = 0;
    if (c === 0x7b || c === 0x5b) this.capDepth = 1;
    else if (c === 0x22) this.capInStr = true;
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e)
      this.capPrim = true;
    else this.fail(this.offset + i, `unexpected ${JSON.stringify(String.fromCharCode(c))}`);
    // Remember where in this chunk the value starts; the chunk loop slices from here.
    this.capChunkStart = i;
    return i;
  }

  private capChunkStart = 0;

  private finishCapture(chunk: Buffer, endExclusive: number): void {
    this.capParts.push(chunk.subarray(this.capChunkStart, endExclusive));
    if (this.capKeep) {
      const text =
        this.capParts.length === 1
          ? this.capParts[0].toString('utf8')
          : Buffer.concat(this.capParts).toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        this.fail(this.capStartAbs, `in the value starting here: ${(e as Error).message}`);
      }
      if (this.capIsElement) this.handler.element?.(this.key, value, this.elemIndex++);
      else if (this.mode === 'elements' || this.mode === 'numbers')
        this.handler.value?.(this.key, value); // e.g. null
      else this.handler.value?.(this.key, value);
    }
    this.capParts = [];
    if (this.capIsElement) this.state = ELEMS;
    else this.memberDone();
  }

  private resetNum(): void {
    this.num = 0;
    this.numDigits = 0;
    this.numNeg = false;
    this.numSlow = null;
  }

  private flushNum(at: number): void {
    if (this.numSlow !== null) {
      const n = Number(this.numSlow);
      if (!Number.isFinite(n)) this.fail(at, `bad number ${JSON.stringify(this.numSlow)}`);
      this.handler.number?.(this.key, n);
    } else if (this.numDigits > 0) this.handler.number?.(this.key, this.numNeg ? -this.num : this.num);
    else if (this.numNeg) this.fail(at, 'bad number "-"');
    this.resetNum();
  }

  push(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const c = chunk[i];
      switch (this.state) {
        case NUMS: {
          // Hot loop: integers straight from the bytes, in locals (written back when the loop ends).
          let num = this.num;
          let digits = this.numDigits;
          let neg = this.numNeg;
          const sink = this.handler.number;
          const key = this.key;
          let done = false;
          for (; i < n; i++) {
            const d = chunk[i];
            if (d >= 0x30 && d <= 0x39 && this.numSlow === null && digits < 15) {
              num = num * 10 + (d - 0x30);
              digits++;
              continue;
            }
            if ((d === 0x2c || d === 0x5d) && this.numSlow === null) {
              if (digits > 0) sink?.(key, neg ? -num : num);
              else if (neg) this.fail(this.offset + i, 'bad number "-"');
              num = 0;
              digits = 0;
              neg = false;
              if (d === 0x5d) {
                i++;
                done = true;
                break;
              }
              continue;
            }
            // The rare cases (fractions, exponents, long integers, whitespace) take the general path.
            this.num = num;
            this.numDigits = digits;
            this.numNeg = neg;
            if (d >= 0x30 && d <= 0x39) {
              if (this.numSlow === null) this.numSlow = (neg ? '-' : '') + (digits > 0 ? String(num) : '');
              this.numSlow += String.fromCharCode(d);
            } else if (d === 0x2c) this.flushNum(this.offset + i);
            else if (d === 0x5d) {
              this.flushNum(this.offset + i);
              i++;
              done = true;
              break;
            } else if (d === 0x2d && digits === 0 && this.numSlow === null && !neg) this.numNeg = true;
            else if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) {
              if (this.numSlow === null) this.numSlow = (neg ? '-' : '') + (digits > 0 ? String(num) : '');
              this.numSlow += String.fromCharCode(d);
            } else if (!isWs(d))
              this.fail(this.offset + i, `expected a number, got ${JSON.stringify(String.fromCharCode(d))}`);
            num = this.num;
            digits = this.numDigits;
            neg = this.numNeg;
          }
          if (done) {
            this.resetNum();
            this.memberDone();
          } else {
            this.num = num;
            this.numDigits = digits;
            this.numNeg = neg;
          }
          continue;
        }
        case CAPTURE: {
          if (this.capInStr) {
            // Jump to the next quote natively; it ends the string unless an odd run of backslashes precedes it.
            if (this.capEsc) {
              this.capEsc = false;
              i++;
            }
            let q = -1;
            while (i < n) {
              q = chunk.indexOf(0x22, i);
              if (q < 0) break;
              let bs = 0;
              for (let k = q - 1; k >= i && chunk[k] === 0x5c; k--) bs++;
              if (bs % 2 === 0) break;
              i = q + 1;
              q = -1;
            }
            if (q < 0) {
              // The string goes on in the next chunk; remember a trailing escape.
              let bs = 0;
              for (let k = n - 1; k >= i && chunk[k] === 0x5c; k--) bs++;
              this.capEsc = bs % 2 === 1;
              i = n;
              continue;
            }
            i = q;
            this.capInStr = false;
            i++;
            if (this.capDepth === 0) this.finishCapture(chunk, i);
            continue;
          }
          if (this.capPrim) {
            if (c === 0x2c || c === 0x7d || c === 0x5d || isWs(c)) {
              this.finishCapture(chunk, i);
              continue; // the delimiter belongs to the enclosing state
            }
            i++;
            continue;
          }
          for (; i < n; i++) {
            const d = chunk[i];
            if (d === 0x22) {
              this.capInStr = true;
              break;
            } else if (d === 0x7b || d === 0x5b) this.capDepth++;
            else if (d === 0x7d || d === 0x5d) {
              if (--this.capDepth === 0) break;
            }
          }
          if (i === n) continue;
          i++;
          if (!this.capInStr && this.capDepth === 0) this.finishCapture(chunk, i);
          continue;
        }
        case ELEMS:
          if (isWs(c) || c === 0x2c) i++;
          else if (c === 0x5d) {
            this.memberDone();
            i++;
          } else {
            this.beginCapture(c, i, chunk, true, true);
            i++;
          }
          continue;
        case KEY:
          for (; i < n; i++) {
            const d = chunk[i];
            if (this.keyEsc) this.keyEsc = false;
            else if (d === 0x5c) this.keyEsc = true;
            else if (d === 0x22) break;
          }
          if (i === n) {
            this.keyParts.push(chunk.subarray(this.keyStart, n));
            this.keyStart = 0;
            continue;
          }
          this.keyParts.push(chunk.subarray(this.keyStart, i));
          try {
            this.key = JSON.parse(`"${Buffer.concat(this.keyParts).toString('utf8')}"`) as string;
          } catch {
            this.fail(this.offset + i, 'bad object key');
          }
          this.keyParts = [];
          this.state = COLON;
          i++;
          continue;
        case START:
          if (isWs(c) || c === 0xef || c === 0xbb || c === 0xbf)
            i++; // whitespace or a UTF-8 BOM
          else if (c === 0x7b) {
            this.state = OBJ;
            i++;
          } else if (c === 0x5b) {
            this.topArray = true;
            this.key = '[]';
            this.mode = this.handler.mode('[]');
            if (this.mode === 'numbers' || this.mode === 'elements') this.beginMember(c, i, chunk);
            else this.beginCapture(c, i, chunk, this.mode === 'value', false);
            i++;
          } else
            this.fail(this.offset + i, `expected "{" or "[", got ${JSON.stringify(String.fromCharCode(c))}`);
          continue;
        case OBJ:
          if (isWs(c) || c === 0x2c) i++;
          else if (c === 0x22) {
            this.state = KEY;
            this.keyParts = [];
            this.keyEsc = false;
            this.keyStart = ++i;
          } else if (c === 0x7d) {
            this.state = END;
            i++;
          } else
            this.fail(
              this.offset + i,
              `expected an object key, got ${JSON.stringify(String.fromCharCode(c))}`,
            );
          continue;
        case COLON:
          if (isWs(c)) i++;
          else if (c === 0x3a) {
            this.state = MEMBER;
            this.mode = this.handler.mode(this.key);
            i++;
          } else this.fail(this.offset + i, 'expected ":"');
          continue;
        case MEMBER:
          if (isWs(c)) i++;
          else {
            this.beginMember(c, i, chunk);
            i++;
          }
          continue;
        case END:
          if (isWs(c)) i++;
          else this.fail(this.offset + i, 'unexpected data after the end of the JSON value');
          continue;
      }
    }
    // Carry a key or value that continues into the next chunk.
    if (this.state === KEY) this.keyStart = 0;
    if (this.state === CAPTURE) {
      if (this.capKeep) this.capParts.push(chunk.subarray(this.capChunkStart, n));
      this.capChunkStart = 0;
    }
    this.offset += n;
  }

  private keyStart = 0;

  end(): void {
    if (this.state === CAPTURE && this.capPrim && this.capDepth === 0 && !this.capInStr) {
      this.finishCapture(Buffer.alloc(0), 0);
    }
    if (this.state === START) this.fail(this.offset, 'the input is empty');
    if (this.state !== END) this.fail(this.offset, 'unexpected end of input (the file is truncated)');
  }
}

/** Reads `src` (gzip or not) through a JsonScanner. */
export async function scanJson(
  src: ProfileSource,
  handler: JsonScanHandler,
  where: string,
  progress?: ProgressCallback,
): Promise<void> {
  const scanner = new JsonScanner(handler, where);
  for await (const chunk of bytes(src, progress)) scanner.push(chunk);
  scanner.end();
}
